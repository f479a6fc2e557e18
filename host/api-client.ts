// The update server's HTTP API as its clients call it (the CLI, provisioning): JSON both ways,
// the bearer token when there is one, and the server's own reason in the error when it refuses.
export async function apiCall(api: string, token: string | undefined, method: "GET" | "POST", path: string, body?: object): Promise<any> {
    const res = await fetch(api.replace(/\/$/, "") + path, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: "Bearer " + token } : {}) },
        body: body ? JSON.stringify(body) : undefined,
    })
    const out: any = await res.json()
    if (!res.ok) throw new Error(`${res.status}: ${out.error ?? JSON.stringify(out)}`)
    return out
}
