/** What one bar's ticks add up to, before features. */
export interface BarTotals {
  open: number;
  high: number;
  low: number;
  close: number;
  /** Sum of lastSize. */
  volume: number;
  /** Sum of last * lastSize. */
  priceVolume: number;
  ticks: number;
  /** Sum over ticks of (ask - bid) / mid * 1e4. */
  spreadBpsSum: number;
  /** Sizes at the bar's last quote (latest event time). */
  bidSize: number;
  askSize: number;
}

export interface BarFeatures {
  logReturn: number;
  hlRange: number;
  ewmaVol: number;
  spreadBps: number;
  imbalance: number;
  volumeZ: number;
  volRatio: number;
  vwap: number;
}

export interface FeatureSettings {
  /** RiskMetrics decay of the return variance. */
  ewmaLambda: number;
  /** Decay of the slow EWMA variance that volRatio compares ewmaVol with. */
  slowEwmaLambda: number;
  /** Decay of the mean/variance of ln(1 + volume). */
  volumeEwmaLambda: number;
  /**
   * volumeZ is 0 until this many earlier real bars are known. The EWMA variance starts at 0 and
   * after n updates holds only a few squared differences shrunk by lambda, so on a symbol's third
   * bar two similar volumes made z reach 676 (JPM, 2012-09-06) and that one value tripled the
   * feature's standard deviation in the whole training set.
   */
  volumeMinHistory: number;
}

/**
 * A symbol's running feature state across bars, updated strictly in bar order. Every feature of a
 * bar uses that bar and earlier ones only; volumeZ compares the bar with statistics of earlier bars
 * (it is computed before they are updated).
 */
export class BarFeatureState {
  /** Close of the last bar (real or filled). */
  prevClose: number | undefined;
  /** EWMA variance of log returns; undefined until the first return. */
  private returnVar: number | undefined;
  /** The same with the slow decay; undefined until the first return. */
  private slowReturnVar: number | undefined;
  private volMean = 0;
  private volVar = 0;
  private volCount = 0;
  private lastSpreadBps = 0;
  private lastImbalance = 0;

  constructor(private readonly settings: FeatureSettings) {}

  private updateReturn(r: number): number {
    const { ewmaLambda: l, slowEwmaLambda: ls } = this.settings;
    if (this.returnVar === undefined) this.returnVar = r * r;
    else this.returnVar = l * this.returnVar + (1 - l) * r * r;
    if (this.slowReturnVar === undefined) this.slowReturnVar = r * r;
    else this.slowReturnVar = ls * this.slowReturnVar + (1 - ls) * r * r;
    return Math.sqrt(this.returnVar);
  }

  /**
   * ln(fast / slow volatility), read after updateReturn. The risk label is relative to the fast
   * sigma, and volatility reverts to its longer-run level, so a low ratio means a normal move will
   * look large; scale-free, it reads the same on a ticker the model never saw.
   */
  private volRatio(): number {
    const fast = this.returnVar ?? 0;
    const slow = this.slowReturnVar ?? 0;
    return fast > 0 && slow > 0 ? 0.5 * Math.log(fast / slow) : 0;
  }

  private volumeZ(x: number): number {
    const warm = this.volCount >= Math.max(2, this.settings.volumeMinHistory);
    return warm && this.volVar > 0 ? (x - this.volMean) / Math.sqrt(this.volVar) : 0;
  }

  private updateVolume(x: number): void {
    const l = this.settings.volumeEwmaLambda;
    if (this.volCount === 0) {
      this.volMean = x;
      this.volVar = 0;
    } else {
      const d = x - this.volMean;
      this.volMean += (1 - l) * d;
      this.volVar = l * (this.volVar + (1 - l) * d * d);
    }
    this.volCount++;
  }

  /** Features of a bar with ticks; advances the state. */
  real(t: BarTotals): BarFeatures {
    const logReturn = this.prevClose === undefined ? 0 : Math.log(t.close / this.prevClose);
    const ewmaVol = this.prevClose === undefined ? 0 : this.updateReturn(logReturn);
    const x = Math.log1p(t.volume);
    const volumeZ = this.volumeZ(x);
    this.updateVolume(x);
    const sizes = t.bidSize + t.askSize;
    this.lastSpreadBps = t.ticks > 0 ? t.spreadBpsSum / t.ticks : 0;
    this.lastImbalance = sizes > 0 ? (t.bidSize - t.askSize) / sizes : 0;
    this.prevClose = t.close;
    return {
      logReturn,
      hlRange: Math.log(t.high / t.low),
      ewmaVol,
      spreadBps: this.lastSpreadBps,
      imbalance: this.lastImbalance,
      volumeZ,
      volRatio: this.volRatio(),
      vwap: t.volume > 0 ? t.priceVolume / t.volume : t.close,
    };
  }

  /**
   * Features of a bar with no ticks (the previous close carried forward): a zero return decays the
   * volatility, the last quote's spread and imbalance still stand, and zero volume is scored
   * against the volume statistics without updating them (a holiday must not drag the baseline).
   */
  filled(): BarFeatures {
    if (this.prevClose === undefined) throw new Error('a bar can only be filled after a real bar');
    const ewmaVol = this.returnVar === undefined ? 0 : this.updateReturn(0);
    return {
      logReturn: 0,
      hlRange: 0,
      ewmaVol,
      spreadBps: this.lastSpreadBps,
      imbalance: this.lastImbalance,
      volumeZ: this.volumeZ(0),
      volRatio: this.volRatio(),
      vwap: this.prevClose,
    };
  }
}
