export {
  type CallerEstimate,
  type EwtEstimate,
  type EwtMethod,
  estimateWaits,
  type LiveQueueState,
  type PositionEstimate,
  type SteadyState,
  staffedAgents,
  type WaitingCaller,
} from './ewt';
