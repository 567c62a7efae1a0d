// The shape of the demo contact center (scripts/lib/demo.mjs makes it through the API; the tests simulate it).

const QUEUE_NAMES = ['Sales', 'Support', 'Billing', 'Technical', 'Returns', 'Claims', 'Retention', 'VIP'];
const AGENT_NAMES = [
  'Ada Lovelace',
  'Alan Turing',
  'Grace Hopper',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Ken Thompson',
  'Frances Allen',
  'Dennis Ritchie',
  'Radia Perlman',
  'Tim Berners-Lee',
  'Katherine Johnson',
  'John McCarthy',
  'Sophie Wilson',
  'Niklaus Wirth',
  'Adele Goldberg',
  'Leslie Lamport',
  'Hedy Lamarr',
  'Tony Hoare',
];

/**
 * What the demo is made of, before it exists: queues in pairs per provider (the first two come in
 * through the generic connector, the next two through Twilio, and so on), agents spread over three
 * teams, each queue served by two of them, sites alternating (a site's agents report their state
 * through its provider: the PBX site's through the generic connector, the Flex site's through Twilio).
 * @param {{ queues?: number, agents?: number }} [o]
 */
export function demoTopology({ queues = 4, agents = 20 } = {}) {
  const sites = [
    { name: 'HQ (PBX)', provider: 'generic' },
    { name: 'Remote (Twilio Flex)', provider: 'twilio' },
  ];
  const teams = [
    { name: 'Sales team', site: 0 },
    { name: 'Support tier 1', site: 1 },
    { name: 'Support tier 2', site: 0 },
  ];
  const q = Array.from({ length: queues }, (_, i) => ({
    name: QUEUE_NAMES[i] ?? `Queue ${i + 1}`,
    provider: Math.floor(i / 2) % 2 === 0 ? 'generic' : 'twilio',
    slug: (QUEUE_NAMES[i] ?? `queue-${i + 1}`).toLowerCase(),
  }));
  // Each queue is served by two teams (so a team's break never leaves it alone), and every team serves some queue.
  const servedBy = (team) => {
    const own = q.map((_, i) => i).filter((i) => i % teams.length === team || (i + 1) % teams.length === team);
    return own.length > 0 ? own : q.map((_, i) => i);
  };
  const a = Array.from({ length: agents }, (_, i) => {
    const team = i % teams.length;
    const site = i % sites.length;
    return {
      name: AGENT_NAMES[i] ?? `Agent ${i + 1}`,
      slug: `agent-${String(i + 1).padStart(2, '0')}`,
      team,
      site,
      provider: sites[site].provider,
      queues: servedBy(team),
    };
  });
  return { sites, teams, queues: q, agents: a };
}
