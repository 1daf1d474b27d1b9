// The server audits of graphql-http (the GraphQL-over-HTTP reference implementation) against a
// running revgraph API: prints each audit's result and the counts; exit code 1 unless all pass.
//   node audit.mjs [URL]     (default: $GRAPHQL_URL or http://127.0.0.1:8000/graphql)
import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.GRAPHQL_URL || 'http://127.0.0.1:8000/graphql';
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failed = [];

console.log(`graphql-http server audits against ${url}\n`);
for (const audit of serverAudits({ url })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    result = { id: audit.id, name: audit.name, status: 'error', reason: `audit threw: ${err}` };
  }
  counts[result.status] = (counts[result.status] || 0) + 1;
  console.log(`${result.status.toUpperCase().padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    let answer = '';
    if (result.response) {
      const r = result.response;
      let body = '';
      try { body = await r.clone().text(); } catch { body = '(body already read)'; }
      answer = `HTTP ${r.status} ${r.headers.get('content-type') || '(no content-type)'}: ` +
        body.slice(0, 300).replace(/\s+/g, ' ');
    }
    console.log(`       reason: ${result.reason}`);
    if (answer) console.log(`       answer: ${answer}`);
    failed.push(result);
  }
}
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`\n${total} audits: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ` +
  `${counts.error} error`);
process.exit(failed.length ? 1 : 0);
