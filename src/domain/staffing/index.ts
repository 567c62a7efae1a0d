export {
  type ErlangC,
  erlangB,
  erlangC,
  erlangCAgentsRequired,
  erlangCQueue,
  erlangCServiceLevel,
  offeredLoad,
  type StaffingTarget,
  type Traffic,
  withShrinkage,
} from './erlang';
