// An MCP client on the official TypeScript SDK, for the Go tests of /mcp: it connects over
// Streamable HTTP with a bearer token, lists the tools, adds a task, lists, completes and
// deletes it, and prints what it saw as one JSON object on stdout (errors go to stderr).
//
//   node mcp-client.mjs <server URL> [token]
//
// The server URL is the app's base URL (…/mcp is appended unless it is there) or MCP_URL; the
// token is the second argument or MCP_TOKEN (the environment keeps it out of `ps`).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const base = process.argv[2] ?? process.env.MCP_URL;
const token = process.argv[3] ?? process.env.MCP_TOKEN;
if (!base || !token) {
  console.error('usage: node mcp-client.mjs <server URL> [token]   (or MCP_URL and MCP_TOKEN)');
  process.exit(2);
}
const endpoint = new URL(base);
if (!endpoint.pathname.endsWith('/mcp')) {
  endpoint.pathname = endpoint.pathname.replace(/\/$/, '') + '/mcp';
}

const client = new Client({ name: 'todo-interop', version: '0.0.0' });
const transport = new StreamableHTTPClientTransport(endpoint, {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});

// call returns a tool's structured content, after checking that its text content (what a
// client that reads only text sees) holds the same JSON. The SDK has already validated the
// structured content against the tool's output schema.
async function call(name, args) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content.filter((c) => c.type === 'text').map((c) => c.text).join('');
  if (result.isError) {
    return { isError: true, text };
  }
  if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(result.structuredContent)) {
    throw new Error(`${name}: text content ${text} differs from structured content ${JSON.stringify(result.structuredContent)}`);
  }
  return result.structuredContent;
}

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  const summary = {
    server: client.getServerVersion(),
    tools: Object.fromEntries(tools.map((t) => [t.name, {
      arguments: Object.keys(t.inputSchema.properties ?? {}).sort(),
      required: [...(t.inputSchema.required ?? [])].sort(),
      described: Object.values(t.inputSchema.properties ?? {}).every((p) => typeof p.description === 'string' && p.description !== ''),
      hasOutputSchema: t.outputSchema?.type === 'object',
    }])),
  };

  summary.added = await call('add_task', { title: '  Buy milk  ', description: 'from Node' });
  const id = summary.added.task_id;
  summary.pending = await call('list_tasks', { status: 'pending' });
  summary.completed = await call('complete_task', { task_id: id });
  summary.completedList = await call('list_tasks', { status: 'completed' });
  summary.blank = await call('add_task', { title: '   ' });
  summary.deleted = await call('delete_task', { task_id: id });
  summary.after = await call('list_tasks', {});
  summary.deletedAgain = await call('delete_task', { task_id: id });

  process.stdout.write(JSON.stringify(summary) + '\n');
} catch (err) {
  console.error(err?.stack ?? String(err));
  process.exitCode = 1;
} finally {
  await client.close().catch(() => {});
}
