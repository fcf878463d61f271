import { InfluxqlHarness, type PlainStatement, plain } from './harness.ts';

/**
 * The conformance data set, small enough to compute every answer by hand (T0 = 2024-01-01T00:00:00Z):
 *
 *   cpu  host=a region=eu  usage=1 idle=10i ok=true note="x"  T0
 *   cpu  host=b region=us  usage=10 idle=5i                   T0+5s
 *   cpu  host=a region=eu  usage=3 idle=20i                   T0+10s
 *   cpu  host=a region=eu  usage=2 idle=30i                   T0+20s
 *   cpu  host=b region=us  usage=20                           T0+30s
 *   cpu  host=c            usage=7                            T0+40s
 *   mem  host=a used=100i free=5u T0;  mem host=b used=200i T0+10s
 *   weather location=paris temp=5.5 T0;  events temp=hot count=1i T0   (temp: a field here, a tag there)
 *   daily v=1,2,3 at noon UTC on 2024-03-09, -10, -11 (US daylight saving starts on the 10th)
 */
export const T0 = 1_704_067_200_000_000_000n;
const S = 1_000_000_000n;

const LINES = [
  `cpu,host=a,region=eu usage=1,idle=10i,ok=true,note="x" ${T0}`,
  `cpu,host=b,region=us usage=10,idle=5i ${T0 + 5n * S}`,
  `cpu,host=a,region=eu usage=3,idle=20i ${T0 + 10n * S}`,
  `cpu,host=a,region=eu usage=2,idle=30i ${T0 + 20n * S}`,
  `cpu,host=b,region=us usage=20 ${T0 + 30n * S}`,
  `cpu,host=c usage=7 ${T0 + 40n * S}`,
  `mem,host=a used=100i,free=5u ${T0}`,
  `mem,host=b used=200i ${T0 + 10n * S}`,
  `weather,location=paris temp=5.5 ${T0}`,
  `events,temp=hot count=1i ${T0}`,
  `daily v=1 ${Date.parse('2024-03-09T12:00:00Z')}000000`,
  `daily v=2 ${Date.parse('2024-03-10T12:00:00Z')}000000`,
  `daily v=3 ${Date.parse('2024-03-11T12:00:00Z')}000000`,
];

/** `2024-01-01T00:00:<s>Z`: T0 plus whole seconds, as results print it. */
export function at(seconds: number): string {
  return new Date(Number(T0 / 1_000_000n) + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export const FROM_T0_FOR_A_MINUTE = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:01:00Z'";

export async function conformanceHarness(): Promise<{
  h: InfluxqlHarness;
  run: (q: string) => Promise<PlainStatement[]>;
}> {
  const h = new InfluxqlHarness();
  await h.database('conf', LINES.join('\n'));
  await h.database('other', '', 7 * 86_400_000);
  return { h, run: async (q: string) => plain(await h.query('conf', q)) };
}

/** One series without tags, as results compare. */
export function series(name: string, columns: string[], values: unknown[][], tags?: Record<string, string>) {
  return tags === undefined ? { name, columns, values } : { name, tags, columns, values };
}
