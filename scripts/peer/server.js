// Socket.IO 4 peer for the WedSync hub's benchmarks (SPEC.md §7 P1 and P6), driven by the hub's load generator
// (com.wedsync.hub.bench.LoadGen, whose EngineIoSocket speaks Engine.IO v4 over WebSocket).
//
//   node server.js --port PORT [--redis redis://127.0.0.1:6379]
//
// With --redis the server uses @socket.io/redis-adapter, so every room emit goes through Redis pub/sub as it would
// across several nodes; without it, the in-memory adapter (and GET /stats says so).
//
// Events, the same workloads as the hub's:
//   join (room, ack)                  joins room "c<N>"
//   publish ({room, payload}, ack)    emits "tick" with payload to every other member of the room (like a Supabase
//                                     broadcast without self)
//   presence ({room, key}, ack)       naive presence: sends the joiner "presence_state" [keys], then emits
//                                     "presence_join" key to the whole room; a disconnect emits "presence_leave"
// GET /stats → {"heapUsed", "adapter", "socketio"}
'use strict';

const http = require('http');
const { Server } = require('socket.io');

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const port = Number(option('--port') || 3000);
const redisUrl = option('--redis');
if (!Number.isInteger(port) || port <= 0) {
  console.error('server.js: --port needs a port number');
  process.exit(2);
}

// (Their package.json files are not exported: read them off the disk.)
function installedVersion(name) {
  const file = require('path').join(__dirname, 'node_modules', name, 'package.json');
  return JSON.parse(require('fs').readFileSync(file, 'utf8')).version;
}
const socketIoVersion = installedVersion('socket.io');
let adapterName = 'in-memory adapter (no Redis)';

const httpServer = http.createServer((req, res) => {
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, adapter: adapterName, socketio: socketIoVersion }));
    return;
  }
  res.writeHead(404);
  res.end();
});

// WebSocket only (no long-polling upgrade dance), no compression: as the hub's load is measured.
// connectTimeout: the benchmark opens all its sockets before any joins; with 10,000 of them on one Node process the
// first would otherwise be closed by Socket.IO's 45 s default before their namespace connect arrives.
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false, perMessageDeflate: false,
  connectTimeout: 300000 });

// Presence members per room. One node keeps them in memory; the emits go through the adapter (Redis when given).
const members = new Map();

io.on('connection', (socket) => {
  const tracked = []; // [room, key] pairs of this socket

  socket.on('join', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack();
  });

  socket.on('publish', (msg, ack) => {
    if (msg && msg.room !== undefined) socket.to(String(msg.room)).emit('tick', msg.payload);
    if (typeof ack === 'function') ack();
  });

  socket.on('presence', (msg, ack) => {
    const room = String(msg.room);
    socket.join(room);
    let keys = members.get(room);
    if (!keys) members.set(room, (keys = new Set()));
    socket.emit('presence_state', Array.from(keys));
    keys.add(msg.key);
    tracked.push([room, msg.key]);
    io.to(room).emit('presence_join', msg.key);
    if (typeof ack === 'function') ack();
  });

  socket.on('disconnect', () => {
    for (const [room, key] of tracked) {
      const keys = members.get(room);
      if (keys && keys.delete(key)) io.to(room).emit('presence_leave', key);
      if (keys && keys.size === 0) members.delete(room);
    }
  });
});

async function main() {
  if (redisUrl) {
    const { createClient } = require('redis');
    const { createAdapter } = require('@socket.io/redis-adapter');
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    adapterName = '@socket.io/redis-adapter ' + installedVersion('@socket.io/redis-adapter')
      + ' on ' + redisUrl;
  }
  httpServer.listen(port, '127.0.0.1', () => {
    console.log(`socket.io ${socketIoVersion} peer listening on http://127.0.0.1:${port} (${adapterName})`);
  });
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
main().catch((e) => {
  console.error('server.js: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
