import { AgentCreateSchema, AgentPatchSchema, AgentSchema } from '../../contracts/agents';
import { QueueCreateSchema, QueuePatchSchema, QueueSchema } from '../../contracts/queues';
import { SiteCreateSchema, SitePatchSchema, SiteSchema } from '../../contracts/sites';
import { TeamCreateSchema, TeamPatchSchema, TeamSchema } from '../../contracts/teams';
import { agentSpec } from '../../services/resources/agents.resource';
import { queueSpec } from '../../services/resources/queues.resource';
import { siteSpec } from '../../services/resources/sites.resource';
import { teamSpec } from '../../services/resources/teams.resource';
import { resourceRoutes } from './resource.routes';

export const sitesRouter = resourceRoutes({
  path: '/v1/sites',
  tag: 'Sites',
  name: 'Site',
  idParam: 'siteId',
  idExample: 'sit_01jx2c8v3m0000000000000000',
  spec: siteSpec,
  schemas: { item: SiteSchema, create: SiteCreateSchema, patch: SitePatchSchema },
});

export const teamsRouter = resourceRoutes({
  path: '/v1/teams',
  tag: 'Teams',
  name: 'Team',
  idParam: 'teamId',
  idExample: 'tem_01jx2c8v3m0000000000000000',
  spec: teamSpec,
  schemas: { item: TeamSchema, create: TeamCreateSchema, patch: TeamPatchSchema },
  keyLimits: 'team',
});

export const queuesRouter = resourceRoutes({
  path: '/v1/queues',
  tag: 'Queues',
  name: 'Queue',
  idParam: 'queueId',
  idExample: 'que_01jx2c8v3m0000000000000000',
  spec: queueSpec,
  schemas: { item: QueueSchema, create: QueueCreateSchema, patch: QueuePatchSchema },
});

export const agentsRouter = resourceRoutes({
  path: '/v1/agents',
  tag: 'Agents',
  name: 'Agent',
  idParam: 'agentId',
  idExample: 'agt_01jx2c8v3m0000000000000000',
  spec: agentSpec,
  schemas: { item: AgentSchema, create: AgentCreateSchema, patch: AgentPatchSchema },
  keyLimits: 'agent',
});
