// The config container: site map (CQD building file), users file (tala's uuid,email), classification
// rules and detection parameters. A missing blob means the defaults; an invalid one falls back to the
// defaults too and is reported as a problem (shown by /api/health and recorded by the analysis run).
// The config's fingerprint tells the analysis when results computed earlier are out of date.
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { SiteMap } from '../analysis/siteMap.js';
import { DEFAULT_RULES, mergeRules, parseRules, type ClassificationRules } from '../analysis/classify.js';
import { parseDetectionParams } from '../analysis/params.js';
import { ANALYSIS_VERSION, DEFAULT_DETECTION_PARAMS, type DetectionParams } from '../analysis/model.js';
import { UsersDatabase } from '../analysis/userDirectory.js';
import { CONFIG_BLOBS } from '../names.js';
import { describeError } from '../errors.js';

export interface ConfigProblem {
  /** Blob name in the config container. */
  blob: string;
  /** What is wrong and where (line numbers, field); never the content of a users-file line. */
  message: string;
}

export interface PipelineConfig {
  siteMap?: SiteMap;
  users: UsersDatabase;
  /** The rules to classify with (the config file's rules before the built-in ones). */
  rules: ClassificationRules;
  params: DetectionParams;
  problems: ConfigProblem[];
  /** Which config blobs were present. */
  present: string[];
  /** configFingerprint() of what was read: changes whenever analysis results may change. */
  fingerprint: string;
}

export interface ConfigBlobNames {
  siteMap: string;
  users: string;
  classificationRules: string;
  detectionParams: string;
}

/**
 * sha256 (hex) over what analysis results depend on: the texts of the site map, classification rules
 * and detection parameters as stored (undefined: absent), the built-in rules and parameters they
 * fall back to, and ANALYSIS_VERSION (the detector's own changes). The users file is left out: it only
 * supplies e-mails when reports are answered.
 */
export function configFingerprint(
  texts: { siteMap: string | undefined; classificationRules: string | undefined; detectionParams: string | undefined },
  analysisVersion: number = ANALYSIS_VERSION,
): string {
  const canonical = JSON.stringify([
    1,
    analysisVersion,
    texts.siteMap ?? null,
    texts.classificationRules ?? null,
    texts.detectionParams ?? null,
    DEFAULT_RULES,
    DEFAULT_DETECTION_PARAMS,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** How many line-level problems of one file are listed (the count says how many there were). */
const MAX_LISTED_LINE_PROBLEMS = 10;

export class ConfigBlobs {
  constructor(
    readonly container: ContainerClient,
    readonly names: ConfigBlobNames = CONFIG_BLOBS,
  ) {}

  /** The text of a config blob, or undefined when it (or the container) does not exist. */
  async readText(blobName: string): Promise<string | undefined> {
    try {
      const buffer = await this.container.getBlobClient(blobName).downloadToBuffer();
      return buffer.toString('utf8');
    } catch (error) {
      const status = (error as { statusCode?: unknown } | null)?.statusCode;
      if (status === 404) return undefined;
      throw error;
    }
  }

  async load(): Promise<PipelineConfig> {
    const [siteMapText, usersText, rulesText, paramsText] = await Promise.all([
      this.readText(this.names.siteMap),
      this.readText(this.names.users),
      this.readText(this.names.classificationRules),
      this.readText(this.names.detectionParams),
    ]);
    const problems: ConfigProblem[] = [];
    const present: string[] = [];
    const fingerprint = configFingerprint({
      siteMap: siteMapText,
      classificationRules: rulesText,
      detectionParams: paramsText,
    });
    const config: PipelineConfig = {
      users: new UsersDatabase({ caseInsensitive: true }),
      rules: DEFAULT_RULES,
      params: { ...DEFAULT_DETECTION_PARAMS },
      problems,
      present,
      fingerprint,
    };

    if (siteMapText !== undefined) {
      present.push(this.names.siteMap);
      const { map, errors } = SiteMap.fromCqdCsv(siteMapText, this.names.siteMap);
      config.siteMap = map;
      lineProblems(
        problems,
        this.names.siteMap,
        errors.map((e) => `line ${e.line}, ${e.field}: ${e.reason}`),
        'left out',
      );
    }
    if (usersText !== undefined) {
      present.push(this.names.users);
      const users = UsersDatabase.parse(usersText, this.names.users, { caseInsensitive: true });
      config.users = users;
      lineProblems(
        problems,
        this.names.users,
        users.errors.map((e) => `line ${e.line}: ${e.reason}`),
        'ignored',
      );
    }
    if (rulesText !== undefined) {
      present.push(this.names.classificationRules);
      try {
        config.rules = mergeRules(parseRules(rulesText, this.names.classificationRules));
      } catch (error) {
        problems.push({
          blob: this.names.classificationRules,
          message: `${describeError(error)}; the built-in rules are used instead`,
        });
      }
    }
    if (paramsText !== undefined) {
      present.push(this.names.detectionParams);
      try {
        const parsed: unknown = JSON.parse(paramsText);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new Error(`${this.names.detectionParams}: expected a JSON object of parameter names and numbers`);
        }
        config.params = parseDetectionParams(parsed as Record<string, unknown>, this.names.detectionParams);
      } catch (error) {
        const message =
          error instanceof SyntaxError
            ? `${this.names.detectionParams}: not valid JSON: ${error.message}`
            : describeError(error);
        problems.push({
          blob: this.names.detectionParams,
          message: `${message}; the default parameters are used instead`,
        });
      }
    }
    return config;
  }

  /** Uploads a config blob (used by tests and the local host; admins use the portal, az or azcopy). */
  async upload(blobName: string, text: string): Promise<void> {
    await this.container.createIfNotExists();
    const data = Buffer.from(text, 'utf8');
    await this.container.getBlockBlobClient(blobName).uploadData(data);
  }
}

function lineProblems(problems: ConfigProblem[], blob: string, messages: string[], effect: string): void {
  if (messages.length === 0) return;
  const listed = messages.slice(0, MAX_LISTED_LINE_PROBLEMS).join('; ');
  const more =
    messages.length > MAX_LISTED_LINE_PROBLEMS ? `; and ${messages.length - MAX_LISTED_LINE_PROBLEMS} more` : '';
  problems.push({ blob, message: `${messages.length} line(s) ${effect}: ${listed}${more}` });
}

/** Loads the config at most once per `ttlMs` (HTTP requests share it; the analysis reloads per run). */
export class CachedConfig {
  private cached: { at: number; config: Promise<PipelineConfig> } | undefined;

  constructor(
    private readonly blobs: ConfigBlobs,
    private readonly ttlMs = 60_000,
  ) {}

  get(now = Date.now()): Promise<PipelineConfig> {
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.config;
    const config = this.blobs.load();
    this.cached = { at: now, config };
    config.catch(() => {
      if (this.cached?.config === config) this.cached = undefined;
    });
    return config;
  }
}
