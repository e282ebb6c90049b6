export { ContainersControl, type ContainersData } from './control.js'
export { startContainers } from './provider.js'
export { IMAGES } from './wiring.js'
