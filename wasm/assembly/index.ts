// SIMD kernels for TF.js's wasm backend. The module imports that backend's memory, so every
// pointer argument is a byte offset into the heap the backend's tensors live in; the module
// itself allocates nothing and has no data segment (the build checks), so it cannot disturb
// the heap it shares.
export { conv2dFilterGrad } from './conv-filter-grad';
export { conv2dInputGrad } from './conv-input-grad';
export { batchMoments, batchNormApply, batchNormGradSums, batchNormGradInput } from './batch-norm';
export { reluGrad } from './relu-grad';
export { copyChannels } from './copy-channels';
export { winogradConv3x3, winogradFilter, winogradFilterGrad } from './winograd';
