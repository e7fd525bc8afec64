// Reads {"robots": "...", "queries": [{"agent": "...", "url": "..."}]} on stdin and prints, for each
// query, robots-parser's verdict: true (allowed) or false (disallowed).
import robotsParser from 'robots-parser';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const robots = robotsParser('https://site.example/robots.txt', input.robots);
const verdicts = input.queries.map(q => robots.isAllowed(q.url, q.agent) !== false);
process.stdout.write(JSON.stringify(verdicts));
