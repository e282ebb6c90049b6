export { Lab, once, runStory, type LabOptions, type Story } from './lab.js'
export {
  ALL_ACKS,
  LANE_PARTITIONS,
  NoSuchLaneError,
  ORDER_KEYS,
  Outcome,
  PRODUCER,
  SideBySide,
  acksProfile,
  leaderChangesSeen,
  variantOf,
  type AcksLevel,
  type AcksName,
  type FaultScenario,
  type Lane,
  type LaneFacts,
  type LaneResult,
  type LaneScenario,
  type LaneScene,
  type LaneStep,
  type Profile,
} from './lanes.js'
export { STEADY, failoverThenLoad, startLaneLoad, steadyRate, underSteadyLoad, type LoadedLane, type SteadyLoad, type SteadyLoadScenario } from './steady.js'
export { burstInto, type Burst, type BurstScenario } from './burst.js'
export { laneEndpoint, laneSession, loseTheAnswer, warm, withWatermarks, type LostAnswer } from './lost-answer.js'
export { freshName, readBack, waitForLeadersOff } from './topics.js'
