// Loaded into every page by course_tools/browser.py (a Playwright init script) as window.__course:
// find a notebook panel by path, run all cells, report on cells and outputs as the model and the
// page hold them, read the log console, and record every dialog that opens (a "Select Kernel"
// dialog must never appear).
//
// Everything that reaches into JupyterLab's internals is in `lab` below, one line each saying
// what it relies on; the course's functions after it only use `lab`.
(() => {
  const lab = {
    // window.jupyterapp: the JupyterFrontEnd, present with --LabApp.expose_app_in_browser=True
    app: () => window.jupyterapp,
    // CSS classes of JupyterLab 4's DOM: dialogs, rendered outputs, the log console, widget views
    DIALOG: '.jp-Dialog',
    OUTPUT: '.jp-OutputArea-output',
    LOG_CONSOLE: '.jp-LogConsolePanel',
    WIDGET_VIEW: '.jupyter-widgets',
    // shell.widgets('main') yields the main-area widgets; a NotebookPanel has context.path and content.model
    panel(path) {
      const app = lab.app();
      if (!app) return null;
      for (const w of app.shell.widgets('main')) {
        if (w.context && w.context.path === path && w.content && w.content.model) return w;
      }
      return null;
    },
    // title.label of each main-area widget: what the tab bar shows
    openTitles: () => Array.from(lab.app().shell.widgets('main')).map((w) => w.title.label),
    // sessionContext.session.kernel.status: 'idle' | 'busy' | 'starting' | …
    kernelStatus(p) {
      const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
      return k ? k.status : 'none';
    },
    // context.isReady: the file is loaded; sessionContext.isReady: a kernel session exists
    isReady: (p) => p.context.isReady && p.sessionContext.isReady,
    // shell.activateById + the command 'notebook:run-all-cells' (JupyterLab's own Run All)
    runAll(p) {
      lab.app().shell.activateById(p.id);
      return lab.app().commands.execute('notebook:run-all-cells');
    },
    // content.model.cells: type, executionCount, executionState, outputs, getMetadata('tags'), sharedModel
    cellModels: (p) => Array.from({length: p.content.model.cells.length}, (_, i) => p.content.model.cells.get(i)),
    tags: (m) => m.getMetadata('tags') || [],
    source: (m) => m.sharedModel.getSource(),
    running: (m) => m.executionState === 'running',
    outputsJSON: (m) => Array.from({length: m.outputs.length}, (_, j) => m.outputs.get(j).toJSON()),
    // content.widgets: the cell widgets; outputArea.widgets: the rendered output of a code cell
    cellWidgets: (p) => p.content.widgets,
    outputNodes: (cell) => Array.from(cell.outputArea.widgets).map((child) => child.node.querySelector(lab.OUTPUT)),
    // .jp-WindowedPanel-outer: the element that scrolls the notebook (JupyterLab ≥ 4)
    scroller: (p) => p.content.node.querySelector('.jp-WindowedPanel-outer') || p.content.node,
    // the command 'logconsole:open' toggles the log console of the active notebook
    logConsoleOpen: () => lab.app().commands.isToggled('logconsole:open'),
    toggleLogConsole: () => lab.app().commands.execute('logconsole:open', {insertMode: 'split-bottom'}),
    activate: (p) => lab.app().shell.activateById(p.id),
    // shell.leftCollapsed / collapseLeft(): the file browser's side panel
    collapseLeft() { const s = lab.app().shell; if (!s.leftCollapsed) s.collapseLeft(); },
    // sessionContext.shutdown(): shut the notebook's kernel down
    shutdown: (p) => p.sessionContext.shutdown(),
    // session.kernel.requestExecute: run code in the notebook's kernel outside any cell; its
    // future's onIOPub sees the stream messages, `done` resolves with the execute reply
    async kernelPrint(p, code) {
      const future = p.sessionContext.session.kernel.requestExecute({code, store_history: false});
      let text = '';
      future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') text += msg.content.text; };
      await future.done;
      return text;
    },
  };

  // ------------------------------------------------------------------ the course's page functions
  window.__courseDialogs = [];
  const seen = new WeakSet();
  const record = () => {
    for (const d of document.querySelectorAll(lab.DIALOG)) {
      if (seen.has(d)) continue;
      seen.add(d);
      setTimeout(() => window.__courseDialogs.push((d.innerText || '').slice(0, 300)), 50);
    }
  };
  const start = () => new MutationObserver(record).observe(document.documentElement,
                                                           {childList: true, subtree: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
  const dialogOpen = () => document.querySelector(lab.DIALOG) !== null;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  window.__course = {
    appReady: () => !!lab.app(),
    ready(path) {
      if (dialogOpen()) return 'dialog';
      const p = lab.panel(path);
      if (!p || !lab.isReady(p)) return false;
      return lab.kernelStatus(p) === 'idle' ? 'ready' : false;
    },
    runAll(path) {
      window.__courseRun = {done: false};
      window.__courseSettledSince = null;
      lab.runAll(lab.panel(path)).then(
        (r) => { window.__courseRun = {done: true, result: String(r)}; },
        (e) => { window.__courseRun = {done: true, error: String(e)}; });
    },
    runDone(path) {
      // Done when the command has returned, the kernel is idle and every code cell has an
      // execution count (or an untagged cell failed, so the kernel aborted the rest), and that
      // has held for a second: 'run all' may resolve while executions are still queued.
      if (dialogOpen()) return 'dialog';
      const p = lab.panel(path);
      let settled = !!(window.__courseRun && window.__courseRun.done) && lab.kernelStatus(p) === 'idle';
      let pending = false, failed = false;
      for (const m of (settled ? lab.cellModels(p) : [])) {
        if (m.type !== 'code') continue;
        if (lab.running(m)) settled = false;
        if (m.executionCount === null && lab.source(m).trim()) pending = true;
        const expected = lab.tags(m).includes('raises-exception');
        if (!expected && lab.outputsJSON(m).some((o) => o.output_type === 'error')) failed = true;
      }
      settled = settled && (!pending || failed);
      const now = performance.now();
      if (!settled) { window.__courseSettledSince = null; return false; }
      if (!window.__courseSettledSince) window.__courseSettledSince = now;
      return now - window.__courseSettledSince >= 1000 ? 'done' : false;
    },
    widgetsSettled(path) {
      const p = lab.panel(path);
      if (!p) return true;
      for (const n of p.content.node.querySelectorAll(lab.OUTPUT)) {
        if ((n.textContent || '').trim() === 'Loading widget...') return false;
      }
      return true;
    },
    report(path) {
      const p = lab.panel(path);
      if (!p) throw new Error(`notebook ${path} is not open in the page; open: ${lab.openTitles()}; url: ${location.href}`);
      const cells = Array.from(lab.cellWidgets(p)).map((cell, i) => {
        const m = cell.model;
        const entry = {index: i, type: m.type, tags: lab.tags(m), source: lab.source(m).slice(0, 200),
                       executionCount: m.type === 'code' ? m.executionCount : null,
                       outputs: [], dom: [], tracebacks: []};
        if (m.type !== 'code') return entry;
        for (const o of lab.outputsJSON(m)) {
          entry.outputs.push({output_type: o.output_type, ename: o.ename || null, evalue: o.evalue || null,
                              name: o.name || null, mimes: o.data ? Object.keys(o.data) : [],
                              text: o.output_type === 'stream' ? String(o.text).slice(0, 500) : null});
        }
        for (const out of lab.outputNodes(cell)) {
          if (!out) continue;
          const mime = out.getAttribute('data-mime-type');
          const isWidget = mime !== 'text/plain' && (out.matches(lab.WIDGET_VIEW)
                           || out.querySelector(lab.WIDGET_VIEW) !== null);
          const box = out.getBoundingClientRect();
          entry.dom.push({mime: isWidget ? 'widget' : mime, className: out.className,
                          text: (out.innerText || '').slice(0, 500),
                          widgets: out.querySelectorAll(lab.WIDGET_VIEW).length,
                          width: box.width, height: box.height});
        }
        // error tracebacks shown inside widgets (an Output widget captures a callback's error)
        for (const w of cell.node.querySelectorAll(`${lab.WIDGET_VIEW} ${lab.OUTPUT}`)) {
          const t = w.innerText || '';
          if (w.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
              && /Traceback|Error\b|Exception\b/.test(t)) entry.tracebacks.push(t.slice(0, 800));
        }
        return entry;
      });
      const dialogs = window.__courseDialogs.slice();
      for (const d of document.querySelectorAll(lab.DIALOG)) dialogs.push((d.innerText || '').slice(0, 300));
      return {cells, dialogs, kernel: lab.kernelStatus(p), run: window.__courseRun || null};
    },
    async logErrors(path, expect, timeoutMs) {
      // Errors and stderr that reached no cell: open the log console, read it, close it again.
      // A widget callback's traceback travels as the kernel's stderr, which the kernel flushes
      // from a thread of its own, later than the callback's other messages: so wait until the
      // expected text is there, or (expect = null) until the console has been quiet for a second.
      const p = lab.panel(path);
      lab.activate(p);
      if (!lab.logConsoleOpen()) await lab.toggleLogConsole();
      const read = () => Array.from(document.querySelectorAll(`${lab.LOG_CONSOLE} ${lab.OUTPUT}`))
        .filter((n) => n.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
        .map((n) => (n.innerText || '').slice(-800));
      const start = performance.now();
      let out = [], count = -1, quietSince = start;
      while (true) {
        await sleep(100);
        const now = performance.now(), c = document.querySelector(lab.LOG_CONSOLE);
        const shown = c && (c.querySelector(lab.OUTPUT) || /No log messages/i.test(c.innerText));
        out = read();
        if (out.length !== count) { count = out.length; quietSince = now; }
        const done = shown && (expect ? out.some((t) => t.includes(expect)) : now - quietSince >= 1000);
        if (done || now - start > timeoutMs) break;
      }
      if (lab.logConsoleOpen()) await lab.toggleLogConsole();
      lab.activate(p);
      return out;
    },
    scrollSize(path) { const s = lab.scroller(lab.panel(path)); return {scroll: s.scrollHeight, client: s.clientHeight}; },
    scrollTo(path, top) { lab.scroller(lab.panel(path)).scrollTop = top; },
    collapseLeft: () => lab.collapseLeft(),
    async shutdown(path) { const p = lab.panel(path); if (p) await lab.shutdown(p); },
    kernelPrint: (path, code) => lab.kernelPrint(lab.panel(path), code),
  };
})();
