export { ConfigError, formatIssue } from './issues.ts';
export type { ConfigIssue } from './issues.ts';
export { defaultConfig, DEFAULTS_FILE, loadConfig, parseConfig } from './load.ts';
export { packIds } from './packs.ts';
export { flows, fromOneWays, oneWays } from './directions.ts';
export type {
  ConfigScalar,
  ConflictPolicy,
  DeletePolicy,
  Direction,
  FieldMappingConfig,
  FirstLinkWinner,
  FlowConfig,
  LedgerbridgeConfig,
  Located,
  MatchRule,
  OneWay,
  RelatedConfig,
  RelatedPick,
  SourceLoc,
} from './types.ts';
