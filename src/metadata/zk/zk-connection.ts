import { connect as netConnect, type Socket } from 'node:net';
import { describeError } from '../../common/logger.ts';
import { FrameSplitter } from '../../protocol/framing.ts';
import { formatAddress, type ZkServerAddress } from './connect-string.ts';
import { type ConnectResponse, decodeConnectResponse } from './jute.ts';

export interface ZkConnectionHandlers {
  /** The server answered the ConnectRequest. */
  onHandshake(conn: ZkConnection, response: ConnectResponse): void;
  /** A frame after the handshake (ReplyHeader + body), as a view valid only during the call. */
  onFrame(conn: ZkConnection, payload: Buffer): void;
  /** The connection is gone (by either side); called exactly once, after which no handler runs. */
  onClose(conn: ZkConnection, reason: string): void;
}

/**
 * One TCP connection to one ZooKeeper server: sends the ConnectRequest as soon as the socket is
 * up, splits the incoming stream into `int32 length | payload` frames, hands the first one over
 * as the handshake answer and the rest as replies. Knows nothing of sessions or requests.
 *
 * Lifecycle: created → socket connects → ConnectRequest written → handshake frame → frames… →
 * closed (socket error, end of stream, bad frame, or close()). `onClose` runs once, synchronously
 * when close() is called, and nothing is delivered after it.
 */
export class ZkConnection {
  readonly address: ZkServerAddress;
  private readonly socket: Socket;
  private readonly handlers: ZkConnectionHandlers;
  private readonly splitter: FrameSplitter;
  private handshakeDone = false;
  private closed = false;
  private lastError = '';

  constructor(address: ZkServerAddress, connectRequest: Buffer, maxFrameBytes: number, handlers: ZkConnectionHandlers) {
    this.address = address;
    this.handlers = handlers;
    this.splitter = new FrameSplitter(maxFrameBytes, (frame) => this.frame(frame));
    this.socket = netConnect({ host: address.host, port: address.port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      if (!this.closed) this.socket.write(connectRequest);
    });
    this.socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      if (!this.splitter.push(chunk)) this.close(`bad frame from server: ${this.splitter.error?.message}`);
    });
    this.socket.on('error', (err) => {
      this.lastError = describeError(err);
    });
    this.socket.on('close', () => {
      this.close(
        this.lastError ||
          (this.handshakeDone ? 'server closed the connection' : 'connection closed before the handshake'),
      );
    });
  }

  get name(): string {
    return formatAddress(this.address);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose(this, reason);
  }

  private frame(payload: Buffer): void {
    if (this.closed) return;
    if (this.handshakeDone) {
      this.handlers.onFrame(this, payload);
      return;
    }
    let response: ConnectResponse;
    try {
      response = decodeConnectResponse(payload);
    } catch (err) {
      this.close(`bad handshake answer: ${describeError(err)}`);
      return;
    }
    this.handshakeDone = true;
    this.handlers.onHandshake(this, response);
  }
}
