/**
 * Token bucket like a Textract TPS quota: a full bucket of max(1, tps) tokens lets a burst
 * through, then calls are admitted at tps per second. tps 0 means unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly tps: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = this.capacity;
    this.last = now();
  }

  get capacity(): number {
    return Math.max(1, this.tps);
  }

  get rate(): number {
    return this.tps;
  }

  tryTake(): boolean {
    if (!(this.tps > 0)) return true;
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.tps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
