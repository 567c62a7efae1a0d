import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './url';

describe('webhook URLs', () => {
  it('takes https anywhere, plain http only to loopback and only when allowed', () => {
    expect(webhookUrlProblem('https://hooks.example.com/callboard?x=1', false)).toBeNull();
    expect(webhookUrlProblem('https://127.0.0.1:8443/h', false)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:9000/h', true)).toBeNull();
    expect(webhookUrlProblem('http://localhost/h', true)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9000/h', true)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:9000/h', false)).toBe('Must be https://.');
    expect(webhookUrlProblem('http://hooks.example.com/h', true)).toMatch(/^Must be https:\/\/ \(plain http/);
    expect(webhookUrlProblem('http://127.0.0.1.nip.io/h', true)).toMatch(/^Must be https/);
  });

  it('refuses what is not an absolute https URL, credentials and fragments', () => {
    expect(webhookUrlProblem('hooks.example.com/h', false)).toBe('Not an absolute URL.');
    expect(webhookUrlProblem('ftp://hooks.example.com/h', false)).toBe('Must be https://.');
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/h', false)).toMatch(/credentials/);
    expect(webhookUrlProblem('https://hooks.example.com/h#x', false)).toMatch(/fragment/);
    expect(webhookUrlProblem(`https://hooks.example.com/${'a'.repeat(2048)}`, false)).toMatch(/2048/);
  });
});
