export { verdictMatchers, type VerdictMatchers } from './matchers.js'
