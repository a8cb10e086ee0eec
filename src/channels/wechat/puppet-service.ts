// wechaty-puppet-service, adjusted for a service that runs for months (read from its 1.19 source):
// - a dropped gRPC event stream is reported at once (the library only logs it, and waits for its
//   60 s watchdog, which does not retry if the service is still down);
// - stopping the client closes the connection without asking the service to stop the puppet
//   (its StopRequest stops the account on the service side: a deploy would log it out);
// - the payload cache lives in the data folder, under a name that is not the token (the library
//   uses $HOME/.wechaty/wechaty-puppet-service/<token>/).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PuppetService } from 'wechaty-puppet-service';

export interface ServicePuppetOptions {
  token: string;
  endpoint: string;
  /** true: plain gRPC (WorkPro); false: TLS. */
  tlsDisabled?: boolean;
  /** The folder for the payload cache (contacts, groups). */
  cacheDir: string;
  /** The event stream to the service ended or failed while connected; `reason` may echo the token (redact it). */
  onStreamLost(reason: string): void;
  /**
   * A ding every `everyMs` asks the service for a dong; nothing at all heard for `silenceMs`
   * counts as a lost connection (a network that drops packets without closing anything).
   */
  keepalive?: { everyMs: number; silenceMs: number };
}

const KEEPALIVE = { everyMs: 20_000, silenceMs: 60_000 };

/** The part of the library's GrpcManager used here (an EventEmitter around the gRPC client). */
interface GrpcManagerLike {
  on(event: string, listener: (arg?: { code?: number; details?: string; message?: string }) => void): unknown;
  stop(): Promise<void>;
  stopStream(): void;
  destroyClient(): void;
}

/** 1 CANCELLED, 14 UNAVAILABLE, … on the stream; 0 OK still ends it. */
function describe(event: string, arg?: { code?: number; details?: string; message?: string }): string {
  if (!arg) return `event stream ${event}`;
  if (event === 'silence') return `event stream silent: ${arg.message ?? ''}`;
  return `event stream ${event}: ${arg.code ?? ''} ${arg.details ?? arg.message ?? ''}`.trim();
}

class ObservedPuppetService extends PuppetService {
  constructor(private readonly observe: ServicePuppetOptions) {
    super({ token: observe.token, endpoint: observe.endpoint, tls: { disable: observe.tlsDisabled ?? false } } as ConstructorParameters<typeof PuppetService>[0]);
    // Read by PayloadStore.start() at each login; set before any login can happen.
    (this._payloadStore as unknown as { storeDir: string }).storeDir = observe.cacheDir;
  }

  /**
   * The library opens the cache at each login and closes it at each logout without waiting: a
   * quick reconnection (logout, then login) opened it again while it was still closing, and
   * LevelDB's lock error escaped as an uncaught exception. One after another here.
   */
  protected override hookPayloadStore(): void {
    let queue = Promise.resolve();
    const store = () => this._payloadStore;
    const next = (job: () => Promise<void>) => {
      queue = queue.then(job).catch(() => undefined);
    };
    this.on('login', ({ contactId }) => next(() => store().start(contactId)));
    this.on('logout', () => next(() => store().stop()));
  }

  protected override bridgeGrpcEventStream(client: Parameters<PuppetService['bridgeGrpcEventStream']>[0]): void {
    super.bridgeGrpcEventStream(client);
    const manager = client as unknown as GrpcManagerLike;
    let closing = false;
    let lost = false;
    const onLost = (event: string) => (arg?: { code?: number; details?: string; message?: string }) => {
      if (closing || lost) return;
      if (event === 'status' && arg?.code === 0) return;
      lost = true;
      this.observe.onStreamLost(describe(event, arg));
    };
    // The library re-emits these only once the stream has connected (its start() sees earlier failures).
    manager.on('error', onLost('error'));
    manager.on('end', onLost('end'));
    manager.on('status', onLost('status'));
    // Heartbeats and dongs keep wechaty's own 60 s watchdog fed too: a quiet account is not reset.
    const { everyMs, silenceMs } = this.observe.keepalive ?? KEEPALIVE;
    let lastHeard = Date.now();
    manager.on('data', () => {
      lastHeard = Date.now();
    });
    const keepalive = setInterval(() => {
      if (closing || lost) {
        clearInterval(keepalive);
        return;
      }
      if (Date.now() - lastHeard > silenceMs) {
        clearInterval(keepalive);
        onLost('silence')({ message: `nothing heard for ${Math.round((Date.now() - lastHeard) / 1000)} s` });
        return;
      }
      try {
        this.ding('keepalive');
      } catch {
        // Between connections: the silence check above decides.
      }
    }, everyMs);
    keepalive.unref();
    // Stopping closes our side only: the account stays logged in on the service.
    manager.stop = async () => {
      closing = true;
      clearInterval(keepalive);
      manager.stopStream();
      try {
        manager.destroyClient();
      } catch {
        // Already closed.
      }
    };
  }
}

export type ServicePuppet = PuppetService;

export function createServicePuppet(options: ServicePuppetOptions): ServicePuppet {
  return new ObservedPuppetService(options);
}

/** The cache folder for a token, under the data folder: named by a hash, never by the token. */
export function puppetCacheDir(dataDir: string, botName: string, token: string): string {
  return join(dataDir, `${botName}.puppet-cache`, createHash('sha256').update(token).digest('hex').slice(0, 16));
}
