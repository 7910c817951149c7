/**
 * ODX loaders: the ingestion engine. See docs/loaders.md.
 */
export { loadFile } from './engine.ts';
export { pgType } from './coerce.ts';
export { ensureLoaderFunctions, loaderFunctionsSql, identifierCheckSql } from './sql.ts';
export { LoadError } from './types.ts';
export { rejectsToCsv, writeRejectsCsv, REJECTS_CSV_COLUMNS, loadErrorZh, rejectMessageZh } from './rejects.ts';
export type {
  ColumnMapping,
  ColumnProfile,
  IdentifierCheck,
  ItemType,
  LoadEncoding,
  LoadErrorCode,
  LoadFormat,
  LoadMode,
  LoadOptions,
  LoadProgress,
  LoadResult,
  LoaderItem,
  QualityProfile,
  Reject,
  RejectRule,
} from './types.ts';
