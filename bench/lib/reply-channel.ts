/**
 * One request at a time to a long-lived child process (bench:engine's TF.js engines and its
 * PyTorch server): the next answer goes to the one request waiting for it, and once the process
 * has ended the waiting request and every later one get the reason at once.
 */
export class ReplyChannel<Reply> {
  private waiting: ((reply: Reply) => void) | null = null;
  private ended: string | null = null;

  constructor(
    private readonly who: string,
    private readonly failure: (reason: string) => Reply,
  ) {}

  get open(): boolean {
    return this.ended === null;
  }

  /** An answer arrived: it goes to the waiting request (with none waiting, it is dropped). */
  deliver(reply: Reply): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(reply);
  }

  /** The process ended: the waiting request and every later one get `why` (the first reason given). */
  end(why: string): void {
    this.ended ??= why;
    this.deliver(this.failure(this.ended));
  }

  /** Sends a request with `send` (none: waits for a message the process sends by itself) and resolves with the next answer. */
  ask(send?: () => void): Promise<Reply> {
    if (this.ended !== null) return Promise.resolve(this.failure(this.ended));
    if (this.waiting !== null) throw new Error(`${this.who}: a request is already waiting for its answer`);
    const answer = new Promise<Reply>((resolve) => (this.waiting = resolve));
    send?.();
    return answer;
  }
}
