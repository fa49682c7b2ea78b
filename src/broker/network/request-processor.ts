/**
 * The contract between a Connection (bytes, order, sockets) and whatever turns a request frame
 * into a response frame (the RequestDispatcher, or a fake in tests).
 */

/** What a connection tells request handling about itself. */
export interface ConnectionInfo {
  /** Unique per server, increasing in accept order. */
  readonly id: number;
  /** The listener the connection came in on, e.g. `PLAINTEXT`. */
  readonly listenerName: string;
  readonly clientHost: string;
  readonly clientPort: number;
  /** True once the socket is gone; a late answer for this connection is dropped. */
  readonly isClosed: boolean;
}

/** The request holds its place in the response order but nothing is sent (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('NO_RESPONSE');
export type NoResponse = typeof NO_RESPONSE;

/**
 * Close the connection once every earlier response has been written, sending nothing for this
 * request. Used for protocol violations: an unknown API, an unsupported version, bytes that do
 * not decode, a handler that failed with no error response to give.
 */
export class CloseConnection {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/**
 * A complete response frame (size prefix included) in pieces, written to the socket in order as
 * one frame. Fetch answers come this way so that record sets read from the log go out as they
 * are instead of being copied into the frame.
 */
export type ResponseChunks = readonly Uint8Array[];

/** A complete response frame (size prefix included; one Buffer or chunks), no response, or close. */
export type ProcessOutcome = Buffer | ResponseChunks | NoResponse | CloseConnection;

export interface RequestProcessor {
  /**
   * Handles one request frame (the bytes after its size prefix; a view into the socket's chunk).
   * Returns the outcome, synchronously when it can. A returned Promise must never reject.
   */
  process(frame: Buffer, connection: ConnectionInfo): ProcessOutcome | Promise<ProcessOutcome>;
}
