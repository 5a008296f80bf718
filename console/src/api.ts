// Talking to /graphql: queries over HTTP, subscriptions over graphql-transport-ws.
// The API key lives in sessionStorage only, so closing the tab signs out.

const KEY_NAME = "riskwatch.apiKey";

export const session = {
  key(): string | null {
    return sessionStorage.getItem(KEY_NAME);
  },
  signIn(key: string): void {
    sessionStorage.setItem(KEY_NAME, key);
  },
  signOut(): void {
    sessionStorage.removeItem(KEY_NAME);
  },
};

/** The key was refused (401): the caller should show the sign-in form again. */
export class SignedOut extends Error {}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const endpoint = (): string => new URL("/graphql", location.href).toString();

/** Runs a query or mutation; throws with the server's messages when it answers with errors. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(endpoint(), {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${session.key() ?? ""}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401) {
    session.signOut();
    throw new SignedOut("the API key is unknown or revoked");
  }
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length) {
    throw new Error(body.errors.map((error) => error.message).join("; "));
  }
  if (body.data == null) throw new Error(`no data (HTTP ${response.status})`);
  return body.data;
}

/** Fetches a file from an authenticated endpoint (the key goes in a header, so a plain link
 * cannot) and hands it to the browser as a download named ``filename``. */
export async function download(
  path: string,
  params: Record<string, string>,
  filename: string,
): Promise<void> {
  const url = new URL(path, location.href);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { Authorization: `Bearer ${session.key() ?? ""}` } });
  if (response.status === 401) {
    session.signOut();
    throw new SignedOut("the API key is unknown or revoked");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as GraphQLResponse<unknown> | null;
    throw new Error(body?.errors?.[0]?.message ?? `download failed (HTTP ${response.status})`);
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

export interface Subscription {
  close(): void;
}

/** Subscribes over graphql-transport-ws, reconnecting with a back-off while open. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onNext: (data: T) => void,
  onStatus: (status: "live" | "reconnecting" | "refused") => void,
): Subscription {
  let socket: WebSocket | null = null;
  let closed = false;
  let retryMs = 500;

  const open = (): void => {
    const url = endpoint().replace(/^http/, "ws");
    socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = () => {
      socket?.send(
        JSON.stringify({
          type: "connection_init",
          payload: { Authorization: `Bearer ${session.key() ?? ""}` },
        }),
      );
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as { type: string; payload?: unknown };
      if (message.type === "connection_ack") {
        retryMs = 500;
        socket?.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
        onStatus("live");
      } else if (message.type === "ping") {
        socket?.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "next") {
        const payload = message.payload as GraphQLResponse<T>;
        if (payload.data) onNext(payload.data);
      } else if (message.type === "error") {
        console.error("subscription error", message.payload);
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (closed) return;
      if (event.code === 4403 || event.code === 4401) {
        onStatus("refused");
        return;
      }
      onStatus("reconnecting");
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  open();
  return {
    close() {
      closed = true;
      socket?.close(1000);
    },
  };
}
