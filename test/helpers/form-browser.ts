/**
 * The smallest browser a scripted sign-in needs: follows redirects, keeps cookies, reads the first
 * form of a page (hidden inputs, text inputs, its action) and posts it back. No JavaScript.
 */
export interface Page {
  url: string;
  status: number;
  text: string;
  form(): Form | undefined;
}

export interface Form {
  action: string;
  method: string;
  fields: Map<string, string>;
}

export class FormBrowser {
  readonly #cookies = new Map<string, string>();

  open(url: string): Promise<Page> {
    return this.#request(url, { method: 'GET' });
  }

  submit(form: Form): Promise<Page> {
    const body = new URLSearchParams([...form.fields]);
    if (form.method === 'get') return this.#request(`${form.action}?${body}`, { method: 'GET' });
    return this.#request(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  async #request(url: string, init: RequestInit): Promise<Page> {
    let current = url;
    let request = init;
    for (let hop = 0; hop < 20; hop++) {
      const response = await fetch(current, {
        ...request,
        redirect: 'manual',
        headers: { ...(request.headers as Record<string, string>), cookie: this.#cookieHeader() },
      });
      this.#remember(response);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        current = new URL(location, current).toString();
        request = { method: 'GET' };
        continue;
      }
      const text = await response.text();
      const at = current;
      return { url: at, status: response.status, text, form: () => parseForm(text, at) };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  #remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair === undefined || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function parseForm(html: string, pageUrl: string): Form | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (match === null) return undefined;
  const attributes = match[1] ?? '';
  const action = attribute(attributes, 'action') ?? pageUrl;
  const method = (attribute(attributes, 'method') ?? 'get').toLowerCase();
  const fields = new Map<string, string>();
  for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const name = attribute(input[1] ?? '', 'name');
    if (name !== undefined) fields.set(name, decodeEntities(attribute(input[1] ?? '', 'value') ?? ''));
  }
  return { action: new URL(decodeEntities(action), pageUrl).toString(), method, fields };
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(attributes);
  return match?.[1];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
