// Seeded PRNG (mulberry32): the same seed gives the same corpus, byte for byte.
export class Rng {
    private s: number
    constructor(seed: number) {
        this.s = seed >>> 0
    }
    next(): number {
        let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    uniform(a: number, b: number): number {
        return a + (b - a) * this.next()
    }
    int(a: number, b: number): number {
        return Math.floor(this.uniform(a, b + 1))
    }
    pick<T>(xs: readonly T[]): T {
        return xs[Math.floor(this.next() * xs.length)]
    }
    chance(p: number): boolean {
        return this.next() < p
    }
    normal(sd = 1): number {
        const u = Math.max(this.next(), 1e-12)
        return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
    }
}
