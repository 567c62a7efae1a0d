import { describe, expect, it } from 'vitest';
import { kpiDocsMarkdown } from '../../scripts/kpi-docs';
import { METRICS } from '../../src/domain/kpi/catalog';
import { DEFAULT_TENANT_SETTINGS } from '../../src/domain/settings';

describe('docs/kpis.md', () => {
  it('is what the catalog generates (run `npm run docs:kpis` after changing a metric or a setting)', async () => {
    await expect(kpiDocsMarkdown()).toMatchFileSnapshot('../../docs/kpis.md');
  });

  it('has one section per metric, each with every field of its definition', () => {
    const page = kpiDocsMarkdown();
    for (const m of METRICS) {
      const sections = page.split(`\n### \`${m.id}\`\n`);
      expect(sections, m.id).toHaveLength(2);
      const section = (sections[1] ?? '').split('\n### ')[0] ?? '';
      expect(section, m.id).toContain(m.definition);
      expect(section, m.id).toContain(`| label | ${m.label} |`);
      expect(section, m.id).toContain(`| unit | \`${m.unit}\``);
      expect(section, m.id).toContain(`| kind | \`${m.kind}\``);
      expect(section, m.id).toContain(`| scope | \`${m.scope}\` |`);
      expect(section, m.id).toContain(`| numerator | ${m.numerator} |`);
      if (m.denominator) expect(section, m.id).toContain(`| denominator | ${m.denominator} |`);
      for (const p of m.policy) expect(section, m.id).toContain(`[\`${p}\`](#policy-settings)`);
      if (m.policy.length === 0) expect(section, m.id).toContain('| policy settings | none |');
    }
  });

  it('gives every policy setting with its default', () => {
    const page = kpiDocsMarkdown();
    const policy = page.split('## Policy settings')[1]?.split('\n## ')[0] ?? '';
    for (const [k, v] of Object.entries(DEFAULT_TENANT_SETTINGS.serviceLevel)) {
      if (k === 'targetPercent') continue;
      expect(policy).toContain(`| \`${k}\` | \`serviceLevel.${k}\` | \`${JSON.stringify(v)}\` |`);
    }
    expect(policy).toContain(`| \`fcrWindowHours\` | \`fcrWindowHours\` | \`${DEFAULT_TENANT_SETTINGS.fcrWindowHours}\` |`);
    expect(policy).toContain('`csatSatisfiedScore`');
    expect(policy).toContain('| `complaintCategories` | `complaintCategories` | `[]` |');
    expect(policy).toContain('| `rightPartyCategories` | `rightPartyCategories` | `[]` |');
  });
});
