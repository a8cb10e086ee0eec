// The account's connection: building and starting wechaty, login and logout, the QR code,
// reconnecting to a puppet service, and a stop that is not a logout. The channel
// (wechat-channel.ts) handles what arrives once connected.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import { log as wechatyLog, qrcodeValueToImageUrl, ScanStatus, WechatyBuilder, type Wechaty, type WechatyOptions } from 'wechaty';
import type { ChannelState } from '../../core/ports.js';
import type { ChannelDeps } from '../channel.js';
import { errorText } from './send-errors.js';
import type { WechatSettings } from './settings.js';

const CHANNEL = 'wechat';
/** While logged out, the staff get a fresh QR link at most this often. */
const SCAN_ALERT_EVERY_MS = 10 * 60_000;
const ERROR_LOG_EVERY_MS = 60_000;
/** A puppet that is not a puppet service and cannot start is built anew this often. */
const RETRY_START_MS = 5 * 60_000;
/** Reconnecting to a puppet service: the first wait, doubled after each failure up to the longest. */
const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;
/** What wechaty's logout says when the puppet itself stops (our stop, a restart, its watchdog): not a real logout. */
const PUPPET_STOP_REASON = 'puppet stop()';

type PuppetInstance = Exclude<WechatyOptions['puppet'], string | undefined>;

export interface SessionOptions {
  /** A puppet instance instead of the one named by the settings (tests use wechaty-puppet-mock). */
  puppet?: PuppetInstance;
  /** Where the login QR code is drawn; the terminal by default. */
  printQr?: (qrcode: string) => void;
  /** Waits between reconnection attempts to a puppet service (tests shorten them). */
  reconnect?: { firstMs: number; maxMs: number };
  /** A puppet service's keepalive (tests shorten it); see puppet-service.ts. */
  keepalive?: { everyMs: number; silenceMs: number };
}

export interface SessionHooks {
  /** Called for each Wechaty built, before it starts: the channel adds its message and group listeners. */
  wire(bot: Wechaty): void;
  /** The account logged in (again): the channel records its groups. */
  loggedIn(bot: Wechaty): void;
}

export interface WechatSession {
  start(): Promise<void>;
  /** Stops without logging the account out; no alert. */
  stop(): Promise<void>;
  bot(): Wechaty | undefined;
  /** True while the account is logged in and connected. */
  loggedIn(): boolean;
  /** Why sends are refused now, in English (for errors); undefined while logged in. */
  whyNotConnected(): string | undefined;
  sessionFile: string;
}

interface LoginRecord {
  account: string;
  at: number;
}

function printQrInTerminal(qrcode: string): void {
  qrcodeTerminal.generate(qrcode, { small: true }, (drawn) => process.stdout.write(`${drawn}\n`));
}

export function createWechatSession(settings: WechatSettings, deps: ChannelDeps, options: SessionOptions, hooks: SessionHooks): WechatSession {
  const { alerts, clock, log, replies } = deps;
  const redact = deps.redact ?? ((text: string) => text);
  const sessionName = join(deps.dataDir, settings.botName);
  const loginFile = `${sessionName}.login.json`;
  const printQr = options.printQr ?? printQrInTerminal;
  const reconnectWaits = options.reconnect ?? { firstMs: RECONNECT_FIRST_MS, maxMs: RECONNECT_MAX_MS };
  const viaService = !options.puppet && settings.puppet === 'wechaty-puppet-service';

  let loggedIn = false;
  let stopping = false;
  let state: { state: ChannelState; detail?: string } = { state: 'starting' };
  let previousLogin = readLoginRecord();
  let loggedOutAlerted = false;
  let lastScanAlert = 0;
  /** When the staff were told that the channel could not start (they are told when it does). */
  let startAlertedAt: number | undefined;
  let lastSignOfLife = 0;
  let retry: NodeJS.Timeout | undefined;
  /** Errors the puppet reports while starting: it swallows them, so this is how a failed start shows. */
  let startErrors: string[] | undefined;
  let bot: Wechaty | undefined;
  let servicePuppet: { start(): Promise<void>; stop(): Promise<void> } | undefined;
  let reconnectWait = reconnectWaits.firstMs;
  let reconnectAttempts = 0;
  let attempting = false;

  function report(next: ChannelState, detail?: string): void {
    state = { state: next, detail };
    deps.health?.report(CHANNEL, next, detail);
  }

  function alert(text: string): void {
    void alerts.alert(redact(text)).catch((e: Error) => log.error({ err: e.message }, 'wechat: staff alert failed'));
  }

  function readLoginRecord(): LoginRecord | undefined {
    if (!existsSync(loginFile)) return undefined;
    try {
      return JSON.parse(readFileSync(loginFile, 'utf8')) as LoginRecord;
    } catch {
      return undefined;
    }
  }

  // wechaty and its puppets log through one brolog instance, straight to the console; through the
  // service's logger instead, so the lines are JSON like the rest and secrets are scrubbed. Their
  // warnings are library chatter (each reconnection attempt brings a few): debug. What matters is
  // logged by this channel.
  wechatyLog.textPrinter = (level: string, text: string) => {
    const line = { sdk: redact(text).slice(0, 1000) };
    if (level === 'ERR') log.warn(line, 'wechaty');
    else log.debug(line, 'wechaty');
  };

  async function buildPuppet(endpoint: string | undefined): Promise<PuppetInstance | undefined> {
    if (options.puppet) return options.puppet;
    if (!viaService) return undefined;
    // Loaded only for this puppet: it registers a gRPC resolver when imported.
    const { createServicePuppet, puppetCacheDir } = await import('./puppet-service.js');
    const puppet = createServicePuppet({
      token: settings.token!, endpoint: endpoint!, tlsDisabled: settings.noTlsInsecureClient,
      cacheDir: puppetCacheDir(deps.dataDir, settings.botName, settings.token!),
      onStreamLost: (reason) => streamLost(redact(reason)),
      keepalive: options.keepalive,
    });
    servicePuppet = puppet;
    return puppet;
  }

  async function createBot(endpoint: string | undefined): Promise<Wechaty> {
    const puppet = await buildPuppet(endpoint);
    // Named after the bot and kept in the data folder: wechaty stores the session there
    // (<name>.memory-card.json), so a restart logs in again without a scan where the puppet can.
    const created = puppet
      ? WechatyBuilder.build({ name: sessionName, puppet })
      : WechatyBuilder.build({ name: sessionName, puppet: settings.puppet });
    wire(created);
    hooks.wire(created);
    return created;
  }

  function wire(bot: Wechaty): void {
    bot.on('scan', (qrcode, status) => {
      lastSignOfLife = clock.now();
      deps.health?.heard(CHANNEL);
      if (status !== ScanStatus.Waiting && status !== ScanStatus.Timeout) {
        log.info({ status: ScanStatus[status] }, 'wechat: QR code scanned, waiting for confirmation on the phone');
        return;
      }
      report('logged_out', 'waiting for a QR code scan');
      const link = qrcodeValueToImageUrl(qrcode);
      if (previousLogin) {
        // The account was logged in before: the session is gone and only a person can fix it.
        // No restart: the puppet keeps offering fresh codes until someone scans one.
        log.error({ link, account: previousLogin.account }, 'wechat: LOGIN LOST: scan the QR code with the bot account to log in again');
        const now = clock.now();
        if (now - lastScanAlert >= SCAN_ALERT_EVERY_MS) {
          lastScanAlert = now;
          alert(replies.render('wechatScanNeeded', { link }));
        }
      } else {
        log.warn({ link }, 'wechat: scan the QR code with the bot account to log in (also printed below)');
      }
      printQr(qrcode);
    });

    bot.on('login', (user) => {
      const wasReconnecting = reconnectAttempts > 0 || state.state === 'reconnecting';
      loggedIn = true;
      lastSignOfLife = clock.now();
      loggedOutAlerted = false;
      if (startAlertedAt !== undefined) {
        const minutes = Math.max(1, Math.round((clock.now() - startAlertedAt) / 60_000));
        alert(replies.render('channelBack', { channel: replies.render('channelNameWechat'), minutes }));
        startAlertedAt = undefined;
      }
      lastScanAlert = 0;
      reconnectWait = reconnectWaits.firstMs;
      reconnectAttempts = 0;
      if (retry) clearTimeout(retry);
      retry = undefined;
      const record: LoginRecord = { account: user.name(), at: clock.now() };
      previousLogin = record;
      try {
        writeFileSync(loginFile, JSON.stringify(record));
      } catch (e) {
        log.warn({ err: e }, 'wechat: could not write the login record');
      }
      log.info({ account: record.account }, wasReconnecting ? 'wechat: reconnected and logged in' : 'wechat: logged in');
      report('connected');
      deps.health?.heard(CHANNEL);
      hooks.loggedIn(bot);
    });

    bot.on('logout', (user, reason) => {
      loggedIn = false;
      const account = user.name();
      if (stopping) {
        // Our own stop: the account stays logged in where the puppet keeps it.
        log.info({ account }, 'wechat: stopped (not a logout)');
        return;
      }
      if (reason === PUPPET_STOP_REASON) {
        // The puppet restarts (a reconnection, or wechaty's watchdog): the account is not logged out.
        log.warn({ account }, 'wechat: connection to the puppet restarting');
        report('reconnecting', state.detail ?? 'the puppet restarted');
        if (viaService) scheduleReconnect();
        return;
      }
      log.error({ account, reason: redact(String(reason ?? '')) }, 'wechat: LOGGED OUT: the bot answers nobody until the account logs in again');
      report('logged_out', 'logged out by the platform');
      if (!loggedOutAlerted) {
        loggedOutAlerted = true;
        alert(replies.render('wechatLoggedOut', { account, reason: reason || '未说明原因' }));
      }
    });

    // Puppets retry on their own and repeat the same error many times a second while a network
    // is down: each distinct message is logged once a minute, with how often it recurred.
    const errorsSeen = new Map<string, { at: number; repeats: number }>();
    bot.on('error', (e) => {
      const text = redact(errorText(e));
      startErrors?.push(text);
      const now = clock.now();
      const seen = errorsSeen.get(text);
      if (seen && now - seen.at < ERROR_LOG_EVERY_MS) {
        seen.repeats++;
        return;
      }
      if (errorsSeen.size > 100) errorsSeen.clear();
      errorsSeen.set(text, { at: now, repeats: 0 });
      log.warn({ error: text, repeatedSinceLastLog: seen?.repeats ?? 0 }, 'wechat: puppet error');
    });
  }

  // ------------------------------------------------------------------ a puppet service's connection

  /** The event stream dropped: the account is unreachable until a reconnection logs it in again. */
  function streamLost(reason: string): void {
    if (stopping || attempting) return;
    loggedIn = false;
    log.warn({ reason }, 'wechat: lost the connection to the puppet service; reconnecting');
    report('reconnecting', reason);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (stopping || retry || attempting) return;
    retry = setTimeout(() => void reconnect(), reconnectWait);
    retry.unref();
    reconnectWait = Math.min(reconnectWait * 2, reconnectWaits.maxMs);
  }

  /** One attempt: restart the client side of the puppet; the service sends the login again if the account is still in. */
  async function reconnect(): Promise<void> {
    retry = undefined;
    if (stopping || loggedIn || !servicePuppet) return;
    attempting = true;
    reconnectAttempts++;
    let failure: string | undefined;
    try {
      await servicePuppet.stop().catch(() => undefined);
      if (stopping) return;
      await servicePuppet.start();
    } catch (e) {
      failure = redact(errorText(e));
    } finally {
      attempting = false;
    }
    if (stopping || loggedIn) return;
    if (failure) {
      log.info({ attempt: reconnectAttempts, error: failure, nextInMs: reconnectWait }, 'wechat: reconnection failed; trying again');
      report('reconnecting', failure);
      scheduleReconnect();
    } else {
      // Connected: the service announces the login at once, or a QR code when the account needs a scan.
      log.info({ attempt: reconnectAttempts }, 'wechat: connected to the puppet service again');
    }
  }

  // ------------------------------------------------------------------ start and stop

  /** Problems only a person can fix are logged loudly and told to the staff once; the service keeps running. */
  function startFailed(reason: string, retryMs: number): void {
    log.error({ reason, retryInMs: retryMs }, 'wechat: COULD NOT START; retrying');
    report('reconnecting', reason);
    if (startAlertedAt === undefined) {
      startAlertedAt = clock.now();
      alert(replies.render('wechatStartFailed', { reason }));
    }
  }

  /**
   * Builds and starts the bot. Never throws: a crash would only restart the service into the
   * same failure. A puppet-service token is resolved to an address here first: the gRPC
   * resolver that wechaty-token registers calls listener.onError / onSuccessfulResolution,
   * which the installed @grpc/grpc-js (1.14) no longer has, so any lookup through it ends in
   * an uncaught TypeError that kills the process (seen for a failed lookup; read for a
   * successful one). With an explicit host:port that resolver is never used.
   */
  async function launch(): Promise<void> {
    retry = undefined;
    if (stopping) return;
    let endpoint = settings.endpoint;
    if (viaService && !endpoint) {
      try {
        endpoint = await discoverPuppetService(settings.token!, settings.authority);
        log.info({ endpoint }, 'wechat: puppet service found for the token');
      } catch (e) {
        startFailed(`cannot find the puppet service for the token: ${redact(errorText(e))}`, RETRY_START_MS);
        retry = setTimeout(() => void launch(), RETRY_START_MS);
        retry.unref();
        return;
      }
    }
    bot = await createBot(endpoint);
    startErrors = [];
    attempting = true;
    try {
      // Resolves once the puppet runs; login follows (from the saved session, or a scan).
      await bot.start();
    } catch (e) {
      startErrors.push(redact(errorText(e)));
    } finally {
      attempting = false;
    }
    const failures = startErrors;
    startErrors = undefined;
    if (failures.length && !loggedIn) {
      if (viaService) {
        // A puppet service is retried like a lost connection, backing off to every half minute.
        startFailed(failures[0], reconnectWait);
        scheduleReconnect();
        return;
      }
      startFailed(failures[0], RETRY_START_MS);
      // Some puppets recover on their own (a web login retrying): restart only one that showed
      // no sign of life (a QR code, a login) in the meantime.
      const failedAt = clock.now();
      const failedBot = bot;
      retry = setTimeout(() => {
        if (stopping || loggedIn || lastSignOfLife > failedAt) return;
        bot = undefined;
        void failedBot.stop().catch(() => undefined).then(() => launch());
      }, RETRY_START_MS);
      retry.unref();
      return;
    }
    log.info({ puppet: options.puppet ? 'injected' : settings.puppet, session: `${sessionName}.memory-card.json` }, 'wechat: started, waiting for login');
  }

  return {
    sessionFile: `${sessionName}.memory-card.json`,
    bot: () => bot,
    loggedIn: () => loggedIn,
    whyNotConnected: () => (loggedIn ? undefined : `the WeChat account is not connected (${state.state}${state.detail ? `: ${state.detail}` : ''})`),
    async start() {
      report('starting');
      await launch();
    },
    async stop() {
      stopping = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      await bot?.stop();
      loggedIn = false;
    },
  };
}

/** What wechaty-token does (GET https://<authority>/v0/hosties/<token> → { host, port }; 404: unknown token), without its crash. */
async function discoverPuppetService(token: string, authority: string): Promise<string> {
  const res = await fetch(`https://${authority}/v0/hosties/${encodeURIComponent(token)}`, { signal: AbortSignal.timeout(15_000) });
  if (res.status >= 400 && res.status < 500) throw new Error(`${authority} does not know this token (HTTP ${res.status})`);
  if (!res.ok) throw new Error(`${authority} answered HTTP ${res.status}`);
  // Older discovery services answer { ip, port }.
  const address = (await res.json()) as { host?: string; ip?: string; port?: number };
  const host = address.host ?? address.ip;
  if (!host || !address.port) throw new Error(`${authority} has no address for this token`);
  return `${host}:${address.port}`;
}
