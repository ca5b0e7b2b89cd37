import type { BackendName } from '../../protocol/events';

/** A backend the config asks for explicitly cannot run here; the message says how to fix it. */
export class BackendError extends Error {
  constructor(
    readonly backend: BackendName,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
