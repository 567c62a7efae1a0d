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
export {
  type ErlangA,
  erlangAAgentsRequired,
  erlangAQueue,
  erlangAServiceLevel,
  type ImpatientStaffingTarget,
  type ImpatientTraffic,
} from './erlang-a';
