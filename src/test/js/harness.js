'use strict';
// The conformance scripts' small test harness: named checks printing PASS/FAIL lines (the Java side reads them), a
// summary line, and a watchdog so a hung client ends the script with a failure instead of a timeout in the JVM.

const util = require('node:util');

/** Checks of one script: {@code title} heads its summary line; nothing runs past {@code overallTimeoutMs}. */
function harness(title, overallTimeoutMs) {
  const results = [];

  function summaryAndExit(code) {
    const failed = results.filter((r) => !r.ok);
    console.log(`${title}: ${results.length - failed.length}/${results.length} checks passed`
      + (failed.length ? `; failed: ${failed.map((r) => r.name).join(', ')}` : ''));
    process.exit(code !== undefined ? code : (failed.length ? 1 : 0));
  }

  const watchdog = setTimeout(() => {
    console.log(`FAIL overall timeout — the script did not finish within ${overallTimeoutMs} ms`);
    results.push({ name: 'overall timeout', ok: false });
    summaryAndExit(2);
  }, overallTimeoutMs);

  process.on('unhandledRejection', (e) => {
    console.log(`FAIL unhandled rejection — ${e && e.stack ? e.stack : e}`);
    results.push({ name: 'unhandled rejection', ok: false });
  });

  async function check(name, fn) {
    try {
      const detail = await fn();
      results.push({ name, ok: true });
      console.log(`PASS ${name}${typeof detail === 'string' && detail ? ` — ${detail}` : ''}`);
      return true;
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`FAIL ${name} — ${e && e.message ? e.message : e}`);
      return false;
    }
  }

  return { results, summaryAndExit, watchdog, check };
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const show = (v) => util.inspect(v, { depth: 6, breakLength: Infinity });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** {@code promise}, or a failure after {@code ms} naming {@code what} (a string, or a function making one then). */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

module.exports = { harness, assert, show, sleep, withTimeout };
