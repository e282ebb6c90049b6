/** The gate's public API (`kafka-durability/gate`): configs, the battery, verdicts and their table. */
export { BATTERY, judgeBattery, runBattery, scenariosNamed, type BatteryProgress, type BatteryRun, type GateScenario } from './battery.js'
export { contradictions, loadGateConfig, parseGateConfig, type Claim, type GateConfig } from './config.js'
export { gateReportFiles, loadGateVerdicts, saveGateVerdicts } from './report.js'
export { verdictTableMarkdown, verdictTableText } from './table.js'
export { claimStatuses, describeConfigVerdict, judgeConfig, type ClaimStatus, type ConfigVerdict } from './verdict.js'
