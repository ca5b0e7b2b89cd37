/** The full architecture snapshot that follows the start, every structural change, a resume and the end. */
import { architectureCost } from '../../core/arch/cost';
import { resolveArchitecture } from '../../core/arch/resolve';
import type { Architecture } from '../../core/arch/types';
import type { RunContext } from './context';

export function emitArchitecture(ctx: RunContext, arch: Architecture, cause: 'start' | 'change' | 'resume' | 'final', changeIndex?: number): void {
  const cost = architectureCost(arch);
  ctx.emitter.emit({
    type: 'architecture', cause, changeIndex, architecture: arch,
    params: cost.params, flops: cost.flops, depth: resolveArchitecture(arch).depth,
  });
}
