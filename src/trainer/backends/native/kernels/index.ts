import type { KernelConfig } from '@tensorflow/tfjs';

import { adamStepKernel } from './adam';
import { batchNormKernel } from './batchnorm';
import { batchMomentsKernel, batchNormGradInputKernel, batchNormGradSumsKernel } from './batchnorm-grad';
import { convKernels } from './conv2d';
import { elementwiseKernels } from './elementwise';
import { layoutKernels } from './layout';
import { matmulKernels } from './matmul';
import { poolKernels } from './pool';
import { reduceKernels } from './reduce';
import { softmaxKernel } from './softmax';
import { tileKernel } from './tile';

/** Every kernel the native backend runs through oneDNN or its own C++ loops. */
export const nativeKernels: KernelConfig[] = [
  ...convKernels, ...matmulKernels, ...poolKernels, ...elementwiseKernels, ...reduceKernels, tileKernel, ...layoutKernels, batchNormKernel,
  batchMomentsKernel, batchNormGradSumsKernel, batchNormGradInputKernel, adamStepKernel, softmaxKernel,
];
