/** A clock the test moves by hand, as the course does with freezegun. */
export class FakeClock {
  constructor(private current = Date.now()) {}

  readonly now = (): number => this.current;

  advance(ms: number): void {
    this.current += ms;
  }
}
