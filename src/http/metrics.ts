import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AuthOutcome } from '../auth/authenticator.ts';

/** The Prometheus registry served at /metrics; one per server so tests can run several in one process. */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly authOutcomes = new Counter({
    name: 'fluxgate_auth_outcomes_total',
    help: 'Authentication and authorization outcomes',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'fluxgate_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fluxgate_' });
  }

  /** `fluxgate_active_queries`: statements running or streaming now, read at each scrape. */
  watchActiveQueries(count: () => number): void {
    new Gauge({
      name: 'fluxgate_active_queries',
      help: 'Queries running or streaming their result now',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
  }

  recordAuth(outcome: AuthOutcome | 'forbidden'): void {
    this.authOutcomes.inc({ outcome });
  }

  recordRequest(method: string, route: string, status: number): void {
    this.requests.inc({ method, route, status: String(status) });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
