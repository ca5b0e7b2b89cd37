/**
 * The panel's only link to whoever hosts it. Inside VS Code that is the webview API
 * (`acquireVsCodeApi`, which may be called once per page); in a plain browser page (tests,
 * benchmarks, a static viewer) messages go to the parent frame or are dispatched as a DOM
 * event, and state lives in sessionStorage. Panel code talks to this interface only.
 */
import type { PanelMessage } from '../src/protocol/panel';

/** What the panel remembers across a webview being hidden and shown again. */
export interface PanelViewState {
  runId: string;
  /** Index of the architecture snapshot shown, or null to follow the run live. */
  position: number | null;
}

export interface PanelHost {
  /** 'vscode' inside a VS Code webview, 'browser' in a plain page. */
  readonly kind: 'vscode' | 'browser';
  post(message: PanelMessage): void;
  /** Calls `handler` with the data of every message sent to the panel; returns an unsubscribe. */
  onMessage(handler: (data: unknown) => void): () => void;
  getState(): PanelViewState | undefined;
  setState(state: PanelViewState): void;
}

/** The name of the DOM event a browser-page host listens to for panel messages. */
export const PANEL_MESSAGE_EVENT = 'resbuilder:panel-message';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

const STORAGE_KEY = 'resbuilder.panel.state';

function isViewState(value: unknown): value is PanelViewState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.runId === 'string' && (v.position === null || (typeof v.position === 'number' && Number.isInteger(v.position) && v.position >= 0));
}

function listen(win: Window, handler: (data: unknown) => void): () => void {
  const listener = (event: MessageEvent): void => handler(event.data);
  win.addEventListener('message', listener);
  return () => win.removeEventListener('message', listener);
}

function vscodeHost(win: Window, api: VsCodeApi): PanelHost {
  return {
    kind: 'vscode',
    post: (message) => api.postMessage(message),
    onMessage: (handler) => listen(win, handler),
    getState: () => {
      const state = api.getState();
      return isViewState(state) ? state : undefined;
    },
    setState: (state) => api.setState(state),
  };
}

function browserHost(win: Window): PanelHost {
  let memory: PanelViewState | undefined;
  const storage = ((): Storage | undefined => {
    try {
      return win.sessionStorage;
    } catch {
      // Opaque origins (file://, sandboxed frames) may refuse storage; memory is enough there.
      return undefined;
    }
  })();
  return {
    kind: 'browser',
    post: (message) => {
      // A framed panel talks to its embedding page; a top-level page hears a DOM event, since a
      // window.postMessage to itself would come back into the panel's own message listener.
      if (win.parent !== win) win.parent.postMessage(message, '*');
      win.dispatchEvent(new CustomEvent(PANEL_MESSAGE_EVENT, { detail: message }));
    },
    onMessage: (handler) => listen(win, handler),
    getState: () => {
      if (storage) {
        try {
          const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');
          return isViewState(parsed) ? parsed : undefined;
        } catch {
          return undefined;
        }
      }
      return memory;
    },
    setState: (state) => {
      memory = state;
      try {
        storage?.setItem(STORAGE_KEY, JSON.stringify(state));
      } catch {
        // Quota or privacy mode: the in-memory copy still serves this page's lifetime.
      }
    },
  };
}

/** Picks the VS Code API when the page runs in a webview, the browser fallback otherwise. */
export function createHost(win: Window = window): PanelHost {
  const acquire = (win as unknown as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
  return typeof acquire === 'function' ? vscodeHost(win, acquire()) : browserHost(win);
}
