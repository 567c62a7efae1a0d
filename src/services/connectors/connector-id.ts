import { ulid } from '../../lib/ids';

const CONNECTOR_ID = /^con_([0-9a-z]{26})_([0-9a-z]{26})$/;

/** A connector id carries its tenant: `con_<tenant ulid>_<ulid>`. */
export function newConnectorId(tenantId: string, nowMs: number): string {
  return `con_${tenantId.slice('tnt_'.length)}_${ulid(nowMs)}`;
}

/** The tenant a connector id belongs to, or null when it is not one. */
export function tenantOfConnector(connectorId: string): string | null {
  const m = CONNECTOR_ID.exec(connectorId);
  return m ? `tnt_${m[1]}` : null;
}
