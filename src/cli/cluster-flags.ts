import { type Command, InvalidArgumentError, Option } from 'commander';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuid(flag: string) {
  return (value: string): string => {
    if (!UUID.test(value)) throw new InvalidArgumentError(`${flag} must be a UUID, not '${value}'`);
    return value.toLowerCase();
  };
}

/** The ids of the management API's Dedicated-style paths; absent ones are generated once and kept in the catalog. */
export function addClusterOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--account-id <uuid>', 'the account id of /api/v0/accounts/{accountId}/clusters/{clusterId}/… paths')
        .env('FLUXGATE_ACCOUNT_ID')
        .argParser(uuid('--account-id')),
    )
    .addOption(
      new Option('--cluster-id <uuid>', 'the cluster id of those paths')
        .env('FLUXGATE_CLUSTER_ID')
        .argParser(uuid('--cluster-id')),
    );
}

export function clusterConfigFrom(options: Record<string, unknown>): {
  clusterIdentity: { accountId?: string; clusterId?: string };
} {
  const clusterIdentity: { accountId?: string; clusterId?: string } = {};
  if (typeof options.accountId === 'string') clusterIdentity.accountId = options.accountId;
  if (typeof options.clusterId === 'string') clusterIdentity.clusterId = options.clusterId;
  return { clusterIdentity };
}
