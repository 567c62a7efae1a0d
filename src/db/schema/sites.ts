import { pgTable, text } from 'drizzle-orm/pg-core';
import { resourceColumns, resourceConstraints } from './resource-table';

export const sites = pgTable(
  'sites',
  {
    ...resourceColumns(),
    /** IANA zone of the site when it differs from the tenant's. */
    timeZone: text('time_zone'),
  },
  (t) => resourceConstraints('sites', t),
).enableRLS();
