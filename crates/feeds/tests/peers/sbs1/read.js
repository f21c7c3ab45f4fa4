// Connects the `sbs1` BaseStation client to 127.0.0.1:PORT, collects every
// message it parses until the server closes, then prints them as one JSON
// array on the last line of stdout (the client logs its own lines before).
// Used by crates/feeds/tests/it/sbs.rs. usage: node read.js PORT
const sbs1 = require('sbs1');

const client = sbs1.createClient({ host: '127.0.0.1', port: Number(process.argv[2]) });
const messages = [];
client.on('message', (msg) => messages.push(msg));
client.on('error', (err) => {
  console.error(String(err));
  process.exit(1);
});
// readline emits the last line before 'close'.
client.socket_rl.on('close', () => {
  console.log(JSON.stringify(messages));
});
