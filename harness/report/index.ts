export { scenarioResult, timeline, type ScenarioResult, type Timeline } from './result.js'
export { matrixMarkdown, matrixText } from './matrix.js'
export { ResultsCollector, loadResults, reportsDir } from './store.js'
