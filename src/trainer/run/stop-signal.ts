/**
 * Cooperative stop: SIGINT, SIGTERM or a `stop` command over IPC set a flag that the training
 * loop checks between batches; the run then writes its checkpoint and exits resumable. A second
 * SIGINT exits at once (the last checkpoint stays valid).
 */
import { parseCommand } from '../../protocol/events';

export class StopSignal {
  private reason: string | null = null;

  get requested(): boolean {
    return this.reason !== null;
  }

  get why(): string {
    return this.reason ?? '';
  }

  request(reason: string): void {
    if (this.reason === null) this.reason = reason;
  }

  /** Installs the signal and IPC handlers; returns a function that removes them. */
  install(onLog: (message: string) => void): () => void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.requested && signal === 'SIGINT') process.exit(130);
      this.request(`${signal} received`);
      onLog(`${signal} received: finishing the current batch, then stopping (resumable). Press Ctrl+C again to exit at once.`);
    };
    const onMessage = (message: unknown) => {
      try {
        const command = parseCommand(message, 'the parent process');
        if (command.type === 'stop') this.request('stopped from the editor');
      } catch (error) {
        onLog(String((error as Error).message));
      }
    };
    // The editor that forked this trainer went away (its window closed or its extension host
    // restarted): nobody would see the run any more, so it stops resumable like on SIGTERM.
    const onDisconnect = () => {
      this.request('the editor that started this run closed');
      onLog('The editor that started this run closed: finishing the current batch, then stopping (resumable).');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
  }
}
