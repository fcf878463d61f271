import { api, listAll } from '../api/client.ts';
import type { AuditEntry, DatabaseToken, ManagementToken } from '../api/types.ts';
import { BarChart, LineChart } from '../components/charts.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { PageHeader } from '../components/toolbar.tsx';
import { newestRefusals } from '../lib/audit-query.ts';
import { formatBytes, formatCount, formatInstant } from '../lib/format.ts';
import { useLoad } from '../lib/use-load.ts';

/** `GET /api/v0/stats/databases` items. */
interface DatabaseStats {
  id: number;
  name: string;
  /** Bytes on disk; null when the storage cannot tell (gateway mode). */
  sizeBytes: number | null;
  points: number;
  tables: number;
}

/** `GET /api/v0/stats/requests`: one bucket per minute, oldest first. */
interface RequestStats {
  minutes: Array<{ start: string; ok: number; unauthorized: number; forbidden: number; throttled: number }>;
}

const WEEK = 7 * 86_400_000;

export function OverviewPage() {
  const databases = useLoad(() => api.get<DatabaseStats[]>('/api/v0/stats/databases'), []);
  const requests = useLoad(() => api.get<RequestStats>('/api/v0/stats/requests'), []);
  const expiring = useLoad(async () => {
    const horizon = Date.now() + WEEK;
    const soon = (expiresAt: string | undefined) =>
      expiresAt !== undefined && Date.parse(expiresAt) <= horizon && Date.parse(expiresAt) > Date.now();
    const [db, mgmt] = await Promise.all([
      listAll<DatabaseToken>('/api/v0/tokens'),
      listAll<ManagementToken>('/api/v0/management-tokens'),
    ]);
    return [
      ...db.filter((t) => t.status === 'active' && soon(t.expiresAt)).map((t) => ({ ...t, kind: 'Database token' })),
      ...mgmt
        .filter((t) => t.status === 'active' && soon(t.expiresAt))
        .map((t) => ({ ...t, kind: 'Management token' })),
    ].sort((a, b) => Date.parse(a.expiresAt ?? '') - Date.parse(b.expiresAt ?? ''));
  }, []);
  const denied = useLoad(async () => {
    const [refused, failed] = await Promise.all([
      api.get<AuditEntry[]>('/api/v0/audit', { outcome: 'denied', limit: 10 }),
      api.get<AuditEntry[]>('/api/v0/audit', { outcome: 'failed', action: 'authentication.failed', limit: 10 }),
    ]);
    return newestRefusals(refused, failed, 10);
  }, []);

  const minutes = requests.data?.minutes ?? [];
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Overview"
        subtitle="Databases, tokens about to expire, recent refusals and this server's traffic."
      />
      <div className="cards">
        <article className="card card-wide" aria-labelledby="requests-title">
          <h2 id="requests-title">Requests per minute, last hour</h2>
          <ErrorNotice error={requests.error} />
          {minutes.length === 0 ? null : (
            <LineChart
              title="Requests per minute by outcome over the last hour"
              labels={[minutes[0]?.start.slice(11, 16) ?? '', minutes[minutes.length - 1]?.start.slice(11, 16) ?? '']}
              series={[
                { name: 'ok', values: minutes.map((m) => m.ok) },
                { name: '401', values: minutes.map((m) => m.unauthorized) },
                { name: '403', values: minutes.map((m) => m.forbidden) },
                { name: '429', values: minutes.map((m) => m.throttled) },
              ]}
            />
          )}
        </article>
        <article className="card" aria-labelledby="sizes-title">
          <h2 id="sizes-title">Database sizes</h2>
          <ErrorNotice error={databases.error} />
          {databases.data === undefined ? null : databases.data.length === 0 ? (
            <p>No databases yet.</p>
          ) : (
            <BarChart
              title="Size on disk per database"
              items={databases.data.map((d) => ({ label: d.name, value: d.sizeBytes ?? 0 }))}
              format={formatBytes}
            />
          )}
        </article>
        <article className="card" aria-labelledby="points-title">
          <h2 id="points-title">Points per database</h2>
          <ErrorNotice error={databases.error} />
          {databases.data === undefined || databases.data.length === 0 ? null : (
            <BarChart
              title="Stored points per database"
              items={databases.data.map((d) => ({ label: d.name, value: d.points }))}
              format={formatCount}
            />
          )}
        </article>
        <article className="card" aria-labelledby="expiring-title">
          <h2 id="expiring-title">Tokens expiring in the next 7 days</h2>
          <ErrorNotice error={expiring.error} />
          {expiring.data === undefined ? null : expiring.data.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul className="plain-list">
              {expiring.data.map((t) => (
                <li key={`${t.kind}-${t.id}`}>
                  <strong>{t.description}</strong> ({t.kind} {t.id}) expires {formatInstant(t.expiresAt)}
                </li>
              ))}
            </ul>
          )}
        </article>
        <article className="card" aria-labelledby="denied-title">
          <h2 id="denied-title">Recent denied attempts</h2>
          <ErrorNotice error={denied.error} />
          {denied.data === undefined ? null : denied.data.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul className="plain-list">
              {denied.data.map((e) => (
                <li key={e.id}>
                  {formatInstant(e.lastTime ?? e.time)}:{' '}
                  {e.action === 'authentication.failed' ? (
                    <>
                      <strong>{e.sourceAddress ?? 'an unknown address'}</strong> failed to authenticate
                    </>
                  ) : (
                    <>
                      <strong>{e.actorName ?? e.actorTokenId ?? 'unknown'}</strong> tried <code>{e.action}</code>
                    </>
                  )}
                  {(e.count ?? 1) > 1 ? ` (${e.count} times)` : ''}
                  {typeof e.details?.reason === 'string' ? `: ${e.details.reason}` : ''}
                </li>
              ))}
            </ul>
          )}
        </article>
      </div>
    </section>
  );
}
