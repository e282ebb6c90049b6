export { resolveTarget, withFault, type Fault, type FaultWindow, type Target } from './fault.js'
export { killNode, pauseNode, stopNode, type NodeFault } from './node-faults.js'
export { cutPaths, cutReplication, nodePaths, ProxyFault, type ProxySite, type Toxic } from './network-faults.js'
export { ClientLine, cutLine, dropResponsesOn, limitRequestBytesOn, resetPeerOn, type LineFault } from './client-line.js'
