// Hand-written types for @wedsync/realtime-client (the sources are plain JavaScript with JSDoc).

// ---- basics ------------------------------------------------------------------------------------------------------

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';
export declare const CONNECTION_STATES: readonly ConnectionState[];

export interface StateChange {
  state: ConnectionState;
  /** Why the state is `error`: `unauthorized`, `token_expired`, `rate_limited`. */
  reason: string | null;
  previous: ConnectionState;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export declare const systemClock: Clock;

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type Unsubscribe = () => void;

export declare class Emitter<Events extends Record<string, any> = Record<string, any>> {
  on<K extends keyof Events & string>(event: K, callback: (payload: Events[K]) => void): Unsubscribe;
  once<K extends keyof Events & string>(event: K, callback: (payload: Events[K]) => void): Unsubscribe;
  off<K extends keyof Events & string>(event: K, callback: (payload: Events[K]) => void): void;
  emit<K extends keyof Events & string>(event: K, payload?: Events[K]): void;
  listenerCount(event: string): number;
}

/** An error the hub reported (PROTOCOL.md reasons) or a local one (`timeout`, `offline`, `closed`, `evicted`, …). */
export declare class HubError extends Error {
  constructor(reason: string, detail?: string, response?: Record<string, any>);
  readonly reason: string;
  readonly detail: string | null;
  /** The whole error response, e.g. `current` of a conflict, `retry_after_ms`, `holder`. */
  readonly response: Record<string, any>;
  static fromReply(response: any): HubError;
}

export interface Position {
  offset: number;
  epoch: string;
}

// ---- the client --------------------------------------------------------------------------------------------------

export type GetToken = (info: { reason: 'initial' | 'expiring' | 'token_expired' | 'unauthorized' | string }) =>
  Promise<string | null | undefined>;

export interface RealtimeClientOptions {
  /** Socket endpoint, `ws(s)://HOST/realtime/v1` (phoenix appends `/websocket`). */
  url: string;
  /** The user's JWT (or give `getToken`). */
  token?: string;
  /** Returns a fresh JWT: called ~60 s before expiry, after `token_expired`, and at connect() without a token. */
  getToken?: GetToken;
  /** The user must sign in again (a refused token, getToken() gave nothing). Then call `setToken`. */
  onUnauthorized?: (reason: string) => void;
  /** Defaults to the socket URL with http(s) and without `/realtime/v1`. */
  httpUrl?: string;
  fetch?: typeof fetch;
  /** A WebSocket class (Node: the `ws` package), `'websocket'` or `'longpoll'`. */
  transport?: any;
  /** Fall back to long-poll when the WebSocket fails within this many ms (2500). 0 turns it off. */
  longPollFallbackMs?: number;
  heartbeatIntervalMs?: number;
  /** Reply timeout (10000). */
  timeoutMs?: number;
  /** Reconnect/rejoin backoff: full jitter, 500 ms base, 30 s cap. */
  reconnect?: { baseMs?: number; capMs?: number };
  random?: () => number;
  clock?: Clock;
  /** Where the offline queue lives; localStorage in a browser, memory otherwise. */
  storage?: StorageLike;
  /** One socket for all tabs of this user (Web Locks leader election + BroadcastChannel). */
  shareAcrossTabs?: boolean;
  /** The tab environment (defaults to the browser's). */
  tabs?: { BroadcastChannel?: any; locks?: { request: (...args: any[]) => Promise<any> }; tabId?: string; pingMs?: number };
  /** A `navigator.connection`-like object (slow or metered links throttle typing and presence further). */
  network?: { effectiveType?: string; saveData?: boolean; addEventListener?: Function; removeEventListener?: Function } | null;
  /** A phoenix-compatible Socket class (tests). */
  Socket?: any;
  /** 50, the hub's limit. */
  maxChannels?: number;
  /** Channels nobody holds are left after this long (300000). */
  idleChannelMs?: number;
  /** Debounce per field type (text 500, number/slider 200, checkbox/radio/select 0, …). */
  debounceMs?: Partial<Record<FieldType | string, number>>;
  typingIntervalMs?: number;
  slowTypingIntervalMs?: number;
  presenceIntervalMs?: number;
  slowPresenceIntervalMs?: number;
  /** Presence status becomes `idle` after this long without input (60000). */
  idleAfterMs?: number;
  /** A form opened while the socket is still connecting is read over HTTP after this long (1500). */
  loadWithoutJoinMs?: number;
  refreshBeforeMs?: number;
  /** Join the user's primary channels at connect() (true). */
  autoSubscribe?: boolean;
  idGenerator?: () => string;
  /** Passed through to phoenix's Socket. */
  socketOptions?: Record<string, any>;
  /** Keep the last copy of each form read in `storage`, so a form opened offline still shows (true). */
  cacheForms?: boolean;
  /** The device's online state (the browser's by default): offline, the socket waits for the network. */
  onlineStatus?: OnlineStatus | null;
}

export interface OnlineStatus {
  online(): boolean;
  watch(callback: (online: boolean) => void): () => void;
}

export declare function browserOnlineStatus(win?: any): OnlineStatus | null;

export interface ConnectionInfo {
  state: ConnectionState;
  /** `offline` while the device has no network; the error reasons otherwise. */
  reason: string | null;
  /** null in a follower tab that has not heard from the tab holding the shared socket. */
  transport: 'websocket' | 'longpoll' | null;
  latencyMs: number | null;
  connectedAt: number | null;
  shared: boolean;
  leader: boolean;
}

export interface Me {
  user: { id: string; name: string; avatar_url?: string | null; admin?: boolean; invisible?: boolean };
  teams: Record<string, string>;
  couples: string[];
  weddings: string[];
  channels: string[];
}

export interface SyncOutcome {
  form_id: string;
  op_id: string;
  event: string;
  field: string | null;
  result: 'applied' | 'duplicate' | 'conflict' | 'rejected';
  version?: number;
  /** conflict: the hub's value now */
  current?: { value: any; version: number; by: any; at: string | null };
  /** conflict: the value that was sent */
  yours?: any;
  /** rejected */
  reason?: string;
  detail?: string;
}

export interface RealtimeClientEvents {
  state: StateChange;
  me: Me;
  token: string;
  unauthorized: string;
  rate_limited: { topic: string; event: string; retryAfterMs: number };
  /** Changes waiting in the offline queue. */
  queue: number;
  synced: SyncOutcome;
  /** Events of the primary channels. */
  message: { topic: string; event: string; payload: any };
  /** This tab took over the shared socket. */
  leader: void;
  error: Error;
}

export declare class RealtimeClient extends Emitter<RealtimeClientEvents> {
  constructor(options: RealtimeClientOptions);
  readonly state: ConnectionState;
  readonly stateReason: string | null;
  readonly token: string | null;
  readonly userId: string | null;
  readonly me: Me | null;
  /** Changes waiting in the offline queue. */
  readonly queuedCount: number;
  /** This tab holds the socket (always true without shareAcrossTabs). */
  readonly isLeader: boolean;
  readonly http: HttpApi;
  readonly queue: OfflineQueue | null;
  /** Opens the connection; reads /me and joins the primary channels. Null while the hub cannot be reached. */
  connect(): Promise<Me | null>;
  /** Closes the socket (shared mode: only in the tab that holds it). */
  disconnect(): void;
  /** Saves what is pending, leaves every channel, closes the connection. */
  close(): Promise<void>;
  setToken(token: string): void;
  form(formId: string): FormSession;
  bell(filter?: BellFilter & { limit?: number }): Bell;
  activity(scope: string, options?: { limit?: number }): ActivityFeed;
  channel(topic: string, options?: { primary?: boolean }): ChannelHandle;
  /** Replays queued changes of forms that have no open session (runs by itself on reconnect). */
  syncQueue(): Promise<void>;
  /** A new socket now, without waiting out the backoff (shared mode: the tab holding it reconnects). */
  reconnect(): void;
  /** A heartbeat's round trip in ms; null when not connected or no answer in time. */
  ping(): Promise<number | null>;
  connectionInfo(): ConnectionInfo;
  /** A supplier's client list with live status, sorted active clients first. */
  clients(supplierId: string): ClientList;
}

// ---- clients ------------------------------------------------------------------------------------------------------

export interface ClientRow {
  couple_id: string;
  name: string;
  wedding_ids: string[];
  status: 'online' | 'recent' | 'inactive';
  filling_form_id: string | null;
  unread: number;
  last_seen_at: string | null;
}

/** Online first, then filling a form, then most recently seen, then by name. */
export declare function compareClients(a: ClientRow, b: ClientRow): number;

export declare class ClientList extends Emitter<{
  change: ClientRow[];
  status: { row: ClientRow; previous: ClientRow };
  recovered: { recovered: true };
  reloaded: { recovered: false };
  error: HubError;
  closed: { reason: string; error?: HubError };
}> {
  readonly supplierId: string;
  readonly topic: string;
  readonly loaded: boolean;
  list(): ClientRow[];
  get(coupleId: string): ClientRow | null;
  load(): Promise<ClientRow[]>;
  close(): void;
}

export declare class FormCache {
  constructor(options: { storage: StorageLike; prefix: string });
  get(formId: string): any | null;
  put(formId: string, form: any): void;
  remove(formId: string): void;
}

// ---- forms -------------------------------------------------------------------------------------------------------

export type FieldType =
  | 'text' | 'email' | 'phone' | 'number' | 'slider' | 'date' | 'time' | 'select'
  | 'checkbox' | 'radio' | 'textarea' | 'list';

export declare const DEFAULT_DEBOUNCE_MS: Readonly<Record<string, number>>;

export interface UserRef {
  user_id: string;
  name: string;
}

export interface FieldSnapshot {
  key: string;
  type: FieldType | string;
  label: string | null;
  required: boolean;
  options: any;
  /** The definition's rules (`min`, `max`, `maxLength`, `editableBy`, …). */
  validation: Record<string, any> | null;
  /** The wedding fact the field is bound to (`guest_count`, …), if any. */
  coreField: string | null;
  /** What to show: the user's own unsaved edit included. */
  value: any;
  version: number;
  /** This user's lock. */
  lock: { token: number | null; mode: 'hard' | 'soft' | string; expires_at: string | null } | null;
  /** Whoever holds the field's lock. */
  holder: (UserRef & { expires_at?: string; soft?: boolean }) | null;
  /** Someone else holds a hard lock: show the field read-only. */
  lockedByOther: boolean;
  typing: UserRef[];
  /** An edit not yet acknowledged (debouncing, in flight or queued offline). */
  pending: boolean;
  /** A conflict waits for keepTheirs()/forceMine(). */
  conflict: boolean;
}

export interface Conflict {
  field: string;
  mine: any;
  theirs: any;
  current: { value: any; version: number; by: any; at: string | null };
  /** Drop my edit and show theirs. */
  keepTheirs(): void;
  /** Overwrite theirs (`force: true`; text areas send my text as an op against theirs). */
  forceMine(): Promise<void>;
}

export type LockAnswer =
  | { token: number | null; mode: 'hard' | 'soft'; expires_at: string | null }
  | { mode: 'none' }
  | { mode: 'offline' }
  | { mode: 'denied'; holder: UserRef | null };

export interface FieldChange {
  field: string;
  value: any;
  source: 'local' | 'remote' | 'rollback' | 'reload';
  by?: UserRef;
  version?: number;
  /** Text areas, remote changes: the op as it applies to the previous value (move carets with transformCaret). */
  ops?: TextOps;
}

export interface FormSessionEvents {
  loaded: { reason: string; values: Record<string, any> };
  change: FieldChange;
  ack: { field: string; version: number; op_id: string };
  saved: { field: string; version: number };
  conflict: Conflict;
  rejected: { field: string | null; event?: string; reason: string; detail: string | null; value: any; holder?: UserRef | null };
  lock: { field: string; holder: FieldSnapshot['holder']; mine: boolean; reason?: string };
  lockDenied: { field: string; holder: UserRef | null; expires_at: string | null };
  lockLost: { field: string; reason: 'expired' | 'broken'; by: UserRef | null };
  typing: { field: string; users: UserRef[] };
  presence: PresenceUser[];
  progress: { filled: number; required: number; percent: number };
  status: { status: string; from: string; by: any; at: string };
  note: { note_id: string; text: string; by: any; at: string };
  updated: { title: string | null };
  joined: { rejoin: boolean; recovered: boolean };
  recovered: { recovered: true };
  reloaded: { recovered: false; reason?: string };
  synced: Omit<SyncOutcome, 'form_id'>;
  event: { event: string; payload: any };
  error: Error;
  closed: { reason: string; error?: Error };
}

export declare class FormSession extends Emitter<FormSessionEvents> {
  readonly formId: string;
  readonly topic: string;
  /** Resolves once the form has been read. */
  readonly ready: Promise<FormSession>;
  readonly loaded: boolean;
  /** The fields shown come from the copy kept in storage (opened offline). */
  readonly fromCache: boolean;
  readonly closed: boolean;
  readonly online: boolean;
  title: string | null;
  status: string | null;
  progress: { filled: number; required: number; percent: number } | null;
  supplierId: string | null;
  weddingId: string | null;
  notes: Array<{ note_id: string; text: string; by: any; at: string }>;
  presence: PresenceView;
  keys(): string[];
  field(key: string): FieldSnapshot | null;
  values(): Record<string, any>;
  value(key: string): any;
  carets(field?: string): Caret[];
  focus(key: string): Promise<LockAnswer>;
  input(key: string, value: any): void;
  blur(key: string): Promise<void>;
  caret(key: string, pos: number): void;
  setViewing(what: string | null): void;
  appendItem(key: string, item: Record<string, any>, itemId?: string): Promise<{ version?: number; item_id: string; queued?: true }>;
  removeItem(key: string, itemId: string): Promise<{ version?: number; item_id: string; queued?: true }>;
  addNote(text: string): Promise<{ note_id: string } | { queued: true }>;
  setStatus(status: string): Promise<{ status: string } | { queued: true }>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

// ---- presence ----------------------------------------------------------------------------------------------------

export interface PresenceUser {
  key: string;
  user_id: string | null;
  name: string | null;
  avatar_url: string | null;
  role: string | null;
  status: 'active' | 'idle';
  focus: string | null;
  viewing: string | null;
  caret: { field: string; pos: number } | null;
  self: boolean;
  color: string;
  metas: any[];
}

export interface Caret {
  user_id: string | null;
  name: string | null;
  field: string;
  pos: number;
  color: string;
}

export declare class PresenceView extends Emitter<{ change: PresenceUser[] }> {
  constructor(options?: { selfUserId?: () => string | null });
  handle(event: string, payload: any): boolean;
  list(): PresenceUser[];
  others(): PresenceUser[];
  carets(field?: string): Caret[];
  clear(): void;
}

export declare function colorFor(id: string): string;

// ---- bell and activity -------------------------------------------------------------------------------------------

export interface Notification {
  id: string;
  type: string;
  title: string;
  body: string | null;
  data: any;
  priority: string;
  read: boolean;
  read_at?: string | null;
  created_at: string;
  day?: string;
}

export interface BellFilter {
  unread?: boolean;
  type?: string | string[];
}

export interface BellEvents {
  change: Notification[];
  count: number;
  notification: Notification;
  recovered: { recovered: true };
  reloaded: { recovered: false };
  error: Error;
  closed: { reason: string };
}

export declare class Bell extends Emitter<BellEvents> {
  readonly items: Notification[];
  readonly unread: number;
  readonly hasMore: boolean;
  readonly loaded: boolean;
  load(): Promise<Notification[]>;
  loadMore(): Promise<Notification[]>;
  setFilter(filter: BellFilter): Promise<Notification[]>;
  markRead(id: string): Promise<{ id: string; read: boolean; unread: number }>;
  markUnread(id: string): Promise<{ id: string; read: boolean; unread: number }>;
  readAll(): Promise<{ updated: number; unread: number }>;
  clearAll(): Promise<{ deleted: number; unread: number }>;
  refreshCount(): Promise<number>;
  close(): void;
}

export interface ActivityItem {
  id: string;
  verb: string;
  actor: any;
  object: any;
  text: string;
  at: string;
}

export declare class ActivityFeed extends Emitter<{
  change: ActivityItem[];
  activity: ActivityItem;
  recovered: { recovered: true };
  reloaded: { recovered: false };
  error: Error;
  closed: { reason: string };
}> {
  readonly scope: string;
  readonly items: ActivityItem[];
  readonly hasMore: boolean;
  readonly loaded: boolean;
  load(): Promise<ActivityItem[]>;
  loadMore(): Promise<ActivityItem[]>;
  close(): void;
}

// ---- channels ----------------------------------------------------------------------------------------------------

export declare class ChannelHandle extends Emitter<Record<string, any>> {
  readonly topic: string;
  readonly presence: PresenceView;
  readonly joined: boolean;
  push(event: string, payload: any): Promise<any>;
  broadcast(event: string, payload: any): Promise<any>;
  track(meta: Record<string, any>): Promise<any>;
  untrack(): Promise<any>;
  touch(): void;
  release(): void;
}

export interface JoinInfo {
  rejoin: boolean;
  recovered: boolean;
}

export interface AttachmentListener {
  message?(event: string, payload: any): void;
  joined?(reply: any, info: JoinInfo): void;
  joinError?(error: HubError): void;
  closed?(reason: string, error?: HubError): void;
}

export interface AttachmentLike {
  readonly topic: string;
  readonly joined: boolean;
  push(event: string, payload: any, options?: { timeout?: number }): Promise<any>;
  touch(): void;
  detach(): void;
}

export declare class Attachment implements AttachmentLike {
  readonly topic: string;
  readonly joined: boolean;
  readonly position: Position | null;
  push(event: string, payload: any, options?: { timeout?: number }): Promise<any>;
  touch(): void;
  detach(): void;
}

export declare const JOIN_CONFIG: {
  readonly broadcast: { readonly self: false; readonly ack: true };
  readonly presence: { readonly key: ''; readonly enabled: true };
};

export declare class ChannelPool extends Emitter<{
  left: { topic: string; reason: string };
  rate_limited: { topic: string; event: string; retryAfterMs: number };
}> {
  constructor(options: {
    connection: Connection;
    clock?: Clock;
    maxChannels?: number;
    idleMs?: number;
    sweepMs?: number;
    maxRateLimitRetries?: number;
    timeoutMs?: number;
  });
  readonly online: boolean;
  readonly size: number;
  topics(): string[];
  attach(topic: string, options?: { primary?: boolean; since?: Position | null; listener?: AttachmentListener }): Attachment;
  sweep(): void;
  close(): void;
}

export declare class Connection extends Emitter<{
  state: StateChange;
  token: string;
  unauthorized: string;
  token_error: Error;
}> {
  constructor(options: {
    url: string;
    token?: string | null;
    getToken?: GetToken | null;
    onUnauthorized?: ((reason: string) => void) | null;
    Socket?: any;
    transport?: any;
    longPollFallbackMs?: number;
    heartbeatIntervalMs?: number;
    timeoutMs?: number;
    reconnect?: { baseMs?: number; capMs?: number };
    random?: () => number;
    clock?: Clock;
    refreshBeforeMs?: number;
    refreshRetryMs?: number;
    authProbe?: ((token: string) => Promise<'ok' | 'unauthorized' | 'token_expired' | 'unknown'>) | null;
    authProbeAfterFailures?: number;
    socketOptions?: Record<string, any>;
    onlineStatus?: OnlineStatus | null;
  });
  readonly state: ConnectionState;
  readonly transport: 'websocket' | 'longpoll';
  readonly latencyMs: number | null;
  readonly connectedAt: number | null;
  readonly stateReason: string | null;
  readonly token: string | null;
  readonly connected: boolean;
  /** The phoenix Socket. */
  readonly socket: any;
  readonly backoff: (tries: number) => number;
  connect(): void;
  /** A new socket now, the backoff started over. */
  reconnect(): void;
  ping(): Promise<number | null>;
  disconnect(): void;
  close(): void;
  setToken(token: string): void;
  refreshToken(reason: string): Promise<string | null>;
  reportAuthError(reason: 'token_expired' | 'unauthorized'): void;
  reportRateLimited(retryAfterMs: number): void;
}

export declare class LocalHub extends Emitter<Record<string, any>> {
  constructor(connection: Connection, pool: ChannelPool);
  reconnect(): void;
  ping(): Promise<number | null>;
  info(): ConnectionInfo;
}

export declare class TabLeader extends Emitter<{ leader: void; message: any }> {
  constructor(options: { name: string; BroadcastChannel: any; locks: { request: (...args: any[]) => Promise<any> }; tabId?: string });
  readonly tabId: string;
  readonly isLeader: boolean;
  start(): void;
  post(message: Record<string, any>): void;
  stop(): void;
}

export declare class SharedHub extends Emitter<Record<string, any>> {
  constructor(options: {
    leader: TabLeader;
    createLocal: () => { connection: Connection; pool: ChannelPool };
    getToken?: GetToken | null;
    token?: string | null;
    clock?: Clock;
    timeoutMs?: number;
    pingMs?: number;
  });
  readonly isLeader: boolean;
  readonly online: boolean;
  readonly state: ConnectionState;
  readonly stateReason: string | null;
  /** Done by the tab holding the socket. */
  reconnect(): void;
  /** Measured by the tab holding the socket. */
  ping(): Promise<number | null>;
  info(): ConnectionInfo;
}

// ---- offline queue, HTTP, network --------------------------------------------------------------------------------

export interface QueuedOp {
  id: string;
  form_id: string;
  event: 'field:set' | 'field:text' | 'field:list' | 'form:note' | 'form:status';
  payload: Record<string, any>;
  at: number;
}

export declare class MemoryStorage implements StorageLike {
  readonly length: number;
  key(i: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  clear(): void;
}

export declare class OfflineQueue extends Emitter<{ count: number }> {
  constructor(options: { storage: StorageLike; key: string; clock?: Clock; idGenerator?: () => string });
  readonly count: number;
  entries(): QueuedOp[];
  forForm(formId: string): QueuedOp[];
  forms(): string[];
  add(op: Omit<QueuedOp, 'id' | 'at'>): QueuedOp;
  last(): QueuedOp | null;
  find(predicate: (op: QueuedOp) => boolean): QueuedOp | null;
  update(id: string, change: (op: QueuedOp) => QueuedOp): boolean;
  remove(ids: Iterable<string>): void;
  clear(): void;
  refresh(): void;
  watch(target?: any): void;
  close(): void;
}

export declare class HttpApi {
  constructor(options: {
    baseUrl: string;
    token: () => string | null;
    refreshToken?: (reason: string) => Promise<string | null>;
    onUnauthorized?: (reason: string) => void;
    fetch?: typeof fetch;
  });
  readonly baseUrl: string;
  get(path: string, query?: Record<string, any>): Promise<any>;
  post(path: string, body?: any): Promise<any>;
  put(path: string, body?: any): Promise<any>;
  delete(path: string): Promise<any>;
  request(method: string, path: string, body?: any): Promise<any>;
}

export declare function httpUrlFromSocketUrl(socketUrl: string): string;

export declare class NetworkQuality extends Emitter<{ change: boolean }> {
  constructor(connection?: any);
  readonly constrained: boolean;
  close(): void;
}

// ---- helpers -----------------------------------------------------------------------------------------------------

export declare function fullJitterBackoff(options?: { baseMs?: number; capMs?: number; random?: () => number }): (tries: number) => number;

export declare class Debouncer {
  constructor(clock?: Clock);
  schedule(key: string, delayMs: number, fn: () => void): void;
  pending(key: string): boolean;
  flush(key: string): boolean;
  flushAll(): void;
  cancel(key: string): void;
  cancelAll(): void;
}

export declare class Throttle {
  constructor(clock: Clock, intervalMs: () => number, options?: { trailing?: boolean });
  call(key: string, fn: () => void): boolean;
  cancel(key: string): void;
  cancelAll(): void;
}

/** A text op: retain n (positive integer), insert (string), delete n (`{d: n}`); positions in code points. */
export type TextComponent = number | string | { d: number };
export type TextOps = TextComponent[];

export declare function diffText(oldText: string, newText: string): TextOps;
export declare function applyTextOps(text: string, ops: TextOps): string;
export declare function transformTextOps(op: TextOps, other: TextOps, opWinsTies: boolean): TextOps;
export declare function composeTextOps(a: TextOps, b: TextOps): TextOps;
export declare function invertTextOps(ops: TextOps, text: string): TextOps;
export declare function transformCaret(pos: number, ops: TextOps): number;
export declare function normalizeTextOps(ops: TextOps): TextOps;
export declare function codePointLength(s: string): number;

export declare function decodeJwt(token: string): Record<string, any> | null;
export declare function tokenExpiresAt(token: string): number | null;
export declare function tokenSubject(token: string): string | null;
