// VCS Insight raster map: every small area painted into one image, coloured in the browser, with vector district
// outlines on a 2D canvas, exact hover (an index image says which area each pixel belongs to), zoom, pan and a
// PNG download. No map library: in a browser without a GPU a WebGL map costs seconds before it draws anything
// (docs/performance.md). Data come from insight/maps/national.py in its packed format: a little-endian uint32
// header length, a JSON header, then the named binary parts the header locates.

const GEOMETRY = new Map(); // geometry id -> Promise of the decoded geometry; only the latest database's is kept
const FONT = "Arial, Helvetica, sans-serif";
const TEXT = "#262730";
const LEGEND_WIDTH = 170;
const MAX_ZOOM = 48; // screen pixels per image pixel, at most
const KEY_STEP = 80; // CSS pixels an arrow key pans

function header(bytes) {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  return [JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))), 4 + length];
}

export function unpack(bytes) {
  const [meta, start] = header(bytes);
  const parts = {};
  for (const [name, [offset, size]] of Object.entries(meta.parts || {})) {
    parts[name] = bytes.slice(start + offset, start + offset + size); // a copy: aligned for typed arrays
  }
  return { meta, parts };
}

async function decodeGeometry(bytes) {
  const { meta, parts } = unpack(bytes);
  const { width, height } = meta;
  const bitmap = await createImageBitmap(new Blob([parts.index], { type: meta.index_mime }), {
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const index = meta.count < 65535 ? new Uint16Array(width * height) : new Uint32Array(width * height);
  for (let p = 0, q = 0; p < index.length; p += 1, q += 4) {
    index[p] = (rgba[q] << 16) | (rgba[q + 1] << 8) | rgba[q + 2];
  }
  const lengths = new Uint32Array(parts.ring_lengths.buffer);
  const points = new Int16Array(parts.ring_points.buffer);
  const outlines = new Path2D();
  for (let ring = 0, at = 0; ring < lengths.length; at += 2 * lengths[ring], ring += 1) {
    outlines.moveTo(points[at], points[at + 1]);
    for (let k = 2; k < 2 * lengths[ring]; k += 2) outlines.lineTo(points[at + k], points[at + k + 1]);
    outlines.closePath();
  }
  let codes = null;
  let names = null;
  return {
    meta,
    index,
    outlines,
    district: new Uint16Array(parts.district.buffer),
    code: (row) => {
      codes = codes || new TextDecoder().decode(parts.codes);
      return codes.substr(meta.code_length * row, meta.code_length);
    },
    name: (row) => {
      names = names || new TextDecoder().decode(parts.names).split("\n");
      return names[row];
    },
  };
}

async function fetchGeometry(url) {
  // The name carries a hash of the content, so a copy in the browser's cache is right: use it unchecked; if it
  // cannot be decoded (a damaged copy), fetch it once more from the app.
  for (const cache of ["force-cache", "reload"]) {
    const response = await fetch(url, { cache });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    try {
      return await decodeGeometry(new Uint8Array(await response.arrayBuffer()));
    } catch (error) {
      if (cache === "reload") throw error;
    }
  }
}

function geometry(meta, embedded) {
  const id = meta.geometry_id;
  if (!GEOMETRY.has(id)) {
    GEOMETRY.clear(); // a new database: the old geometry is no longer needed
    const loading = embedded ? decodeGeometry(embedded) : fetchGeometry(meta.geometry_url);
    loading.catch(() => GEOMETRY.delete(id)); // try again on the next run
    GEOMETRY.set(id, loading);
  }
  return GEOMETRY.get(id);
}

// Python's format(value, ",.Nf"): the exact binary value of the double rounded half to even, thousands grouped.
// (toFixed works on the exact value too, but rounds ties up; Intl.NumberFormat rounds the shortest decimal.)
function fixed(value, digits, { group = true } = {}) {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return String(value);
  const exact = Math.abs(value).toFixed(100); // every digit of the double that matters here
  const point = exact.indexOf(".");
  const kept = exact.slice(0, point) + exact.slice(point + 1, point + 1 + digits);
  const rest = exact.slice(point + 1 + digits);
  const odd = Number(kept[kept.length - 1]) % 2 === 1;
  const up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || odd));
  const text = (BigInt(kept) + (up ? 1n : 0n)).toString().padStart(digits + 1, "0");
  let whole = text.slice(0, text.length - digits);
  if (group) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  return sign + whole + (digits ? `.${text.slice(text.length - digits)}` : "");
}

// Numbers as the app writes them (insight.formatting.format_value): shares as %, pounds, integers, decimals.
export function formatValue(value, kind) {
  if (value === null || Number.isNaN(value)) return "n/a";
  if (kind === "share") return `${fixed(value * 100, 1, { group: false })}%`; // Python's % multiplies in floats
  if (kind === "pound") return `£${fixed(value, Math.abs(value) < 100 ? 2 : 0)}`;
  if (kind === "integer") return fixed(value, 0).replace(/^-0$/, "0"); // Python's round() gives an int: no -0
  return fixed(value, Math.abs(value) < 10 ? 2 : 1);
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

class RasterMap {
  constructor(parent) {
    this.root = element("div", "vcs-raster-map", parent);
    this.root.tabIndex = 0;
    this.root.setAttribute("role", "region");
    const header = element("div", "vcs-header", this.root);
    this.title = element("div", "vcs-title", header);
    const tools = element("div", "vcs-tools", header);
    this.button(tools, "−", "Zoom out (key −)", () => this.zoomBy(1 / 1.6));
    this.button(tools, "+", "Zoom in (key +)", () => this.zoomBy(1.6));
    this.button(tools, "⟲", "Reset the view (key 0)", () => this.fit());
    this.button(tools, "PNG", "Download the map as PNG", () => this.download());
    this.stage = element("div", "vcs-stage", this.root);
    this.canvas = element("canvas", "vcs-canvas", this.stage);
    this.canvas.setAttribute("role", "img");
    this.tip = element("div", "vcs-tip", this.stage);
    this.status = element("div", "vcs-status", this.stage, "Loading the map…");
    this.key = element("ul", "vcs-key", this.root); // the legend as text, for screen readers and tests
    this.key.setAttribute("aria-label", "Legend");
    this.loading = 0;
    this.listen();
  }

  button(parent, text, label, action) {
    const node = element("button", "vcs-button", parent, text);
    node.type = "button";
    node.title = label;
    node.setAttribute("aria-label", label);
    node.addEventListener("click", action);
  }

  async load(data) {
    const loading = (this.loading += 1);
    const current = () => !this.destroyed && loading === this.loading; // no newer measure, still on the page
    this.root.dataset.drawn = "false";
    try {
      const { meta, parts } = unpack(data);
      this.title.textContent = meta.title;
      this.root.style.height = `${meta.height}px`;
      this.root.setAttribute("aria-label", `${meta.title}. ${meta.keys}`);
      const geo = await geometry(meta, parts.geometry);
      if (!current()) return;
      this.meta = meta;
      this.values = new Float64Array(parts.values.buffer);
      this.districtMedians = new Float64Array(parts.district_medians.buffer);
      // The measure's own LSOA -> district index when its rule differs from the geometry's (insight.districts).
      this.district = parts.district ? new Uint16Array(parts.district.buffer) : null;
      this.canvas.setAttribute("aria-label", meta.alt);
      const refit = !this.geo || this.geo !== geo;
      this.geo = geo;
      this.colourLayer(parts.palette, parts.steps);
      this.keyText();
      this.status.textContent = "";
      this.resize();
      if (refit || !this.view) this.fit(false);
      this.draw();
      requestAnimationFrame(() => {
        if (current()) this.root.dataset.drawn = "true"; // read by the benchmarks and tests: the map is on screen
      });
    } catch (error) {
      if (!current()) return;
      this.layer = null;
      this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
      this.status.textContent = `The map could not be drawn (${error.message}). Reload the page to try again.`;
    }
  }

  colourLayer(paletteBytes, steps) {
    const { width, height, count } = this.geo.meta;
    const lut = new Uint32Array(count + 1); // per area (row + 1): RGBA packed little-endian; 0 = outside, clear
    for (let row = 0; row < count; row += 1) {
      const at = 3 * steps[row];
      lut[row + 1] = (255 << 24) | (paletteBytes[at + 2] << 16) | (paletteBytes[at + 1] << 8) | paletteBytes[at];
    }
    const image = new ImageData(width, height);
    const pixels = new Uint32Array(image.data.buffer);
    const index = this.geo.index;
    for (let p = 0; p < pixels.length; p += 1) pixels[p] = lut[index[p]];
    const layer = new OffscreenCanvas(width, height);
    layer.getContext("2d").putImageData(image, 0, 0);
    this.layer = layer;
    this.palette = paletteBytes;
    this.steps = steps;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(200, this.stage.clientWidth);
    const height = Math.max(200, this.stage.clientHeight);
    if (this.view && !this.view.fitted && this.width) {
      this.view = { ...this.view, x: this.view.x + (width - this.width) / 2 }; // keep the zoom, keep it centred
    }
    this.width = width;
    this.height = height;
    this.ratio = ratio;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    if (this.geo) {
      const { width: w, height: h } = this.geo.meta;
      this.fitScale = 0.97 * Math.min(this.room() / w, height / h);
    }
    if (this.view && this.view.fitted) this.fit(false);
  }

  room() {
    return Math.max(100, this.width - LEGEND_WIDTH); // the map's part of the canvas, left of the legend
  }

  fit(redraw = true) {
    if (!this.geo) return;
    const { width, height } = this.geo.meta;
    const scale = this.fitScale;
    this.view = { scale, x: (this.room() - width * scale) / 2, y: (this.height - height * scale) / 2, fitted: true };
    if (redraw) this.schedule();
  }

  zoomBy(factor, cx = this.room() / 2, cy = this.height / 2) {
    if (!this.view) return;
    const { scale, x, y } = this.view;
    const next = Math.min(MAX_ZOOM, Math.max(this.fitScale * 0.7, scale * factor));
    const applied = next / scale;
    this.view = { scale: next, x: cx - (cx - x) * applied, y: cy - (cy - y) * applied, fitted: false };
    this.tip.style.display = "none";
    this.schedule();
  }

  panBy(dx, dy) {
    if (!this.view) return;
    this.view = { ...this.view, x: this.view.x + dx, y: this.view.y + dy, fitted: false };
    this.tip.style.display = "none";
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  draw() {
    if (!this.layer || this.destroyed) return;
    if ((window.devicePixelRatio || 1) !== this.ratio) this.resize(); // moved to a screen of another density
    const context = this.canvas.getContext("2d");
    context.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    this.paint(context, this.width, this.height);
    // Where the image is on screen (image pixel = (canvas position - x, y) / scale): read by the browser tests.
    this.root.dataset.view = `${this.view.scale},${this.view.x},${this.view.y}`;
  }

  // The map and its legend into a context of width × height CSS pixels (the screen, or the PNG export).
  paint(context, width, height) {
    const { scale, x, y } = this.view;
    const meta = this.geo.meta;
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.imageSmoothingEnabled = scale < 1; // blend areas when shrunk; crisp pixels when zoomed in
    context.imageSmoothingQuality = "medium";
    context.drawImage(this.layer, x, y, meta.width * scale, meta.height * scale);
    context.save();
    const step = scale / meta.outline_scale;
    context.setTransform(context.getTransform().translate(x, y).scale(step, step));
    context.lineWidth = 1.2 / step;
    context.lineJoin = "round";
    context.strokeStyle = "rgba(255, 255, 255, 0.9)";
    context.stroke(this.geo.outlines);
    context.restore();
    this.legend(context, width, height);
  }

  legend(context, width, height) {
    const legend = this.meta.legend;
    const left = width - LEGEND_WIDTH + 14;
    const line = 19;
    const barTop = 14 + line * legend.title.length;
    const barHeight = Math.max(80, Math.min(320, height - barTop - 70));
    context.fillStyle = "rgba(255, 255, 255, 0.92)";
    context.fillRect(left - 10, 0, LEGEND_WIDTH - 4, barTop + barHeight + 52);
    context.fillStyle = TEXT;
    context.font = `16px ${FONT}`;
    context.textBaseline = "alphabetic";
    legend.title.forEach((text, i) => context.fillText(text, left, 18 + line * i));
    const colour = (step) => {
      const at = 3 * step;
      return `rgb(${this.palette[at]}, ${this.palette[at + 1]}, ${this.palette[at + 2]})`;
    };
    if (legend.classes) {
      this.classLegend(context, legend, { left, top: barTop, colour });
      return;
    }
    for (let i = 0; i < legend.steps; i += 1) {
      context.fillStyle = colour(legend.first + legend.steps - 1 - i); // highest value at the top
      context.fillRect(left, barTop + (barHeight * i) / legend.steps, 24, barHeight / legend.steps + 1);
    }
    context.fillStyle = TEXT;
    context.textBaseline = "middle";
    for (const [position, label] of legend.ticks) {
      const ty = barTop + barHeight * (1 - position);
      context.fillRect(left + 24, ty - 0.5, 5, 1);
      context.fillText(label, left + 33, ty);
    }
    context.fillStyle = colour(legend.no_value);
    context.fillRect(left, barTop + barHeight + 18, 24, 16);
    context.fillStyle = TEXT;
    context.fillText("No value", left + 33, barTop + barHeight + 26);
  }

  // Decile classes: one swatch per class (class 1 first) beside its name and range of values; then "No value".
  classLegend(context, legend, { left, top, colour }) {
    const row = 34;
    context.textBaseline = "middle";
    const rows = [...legend.classes, [legend.no_value, "No value"]];
    rows.forEach(([step, label], i) => {
      const y = top + i * row + (i === legend.classes.length ? 6 : 0);
      context.fillStyle = colour(step);
      context.fillRect(left, y, 24, row - 4);
      context.fillStyle = TEXT;
      const lines = label.split(": ");
      const first = lines.length > 1 ? y + 8 : y + (row - 4) / 2;
      lines.forEach((text, j) => this.fittedText(context, text, left + 30, first + 15 * j, LEGEND_WIDTH - 44));
    });
  }

  // Text at 12px, or smaller when it would overflow the legend (class names and ranges can be long).
  fittedText(context, text, x, y, width) {
    let size = 12;
    context.font = `${size}px ${FONT}`;
    while (size > 8 && context.measureText(text).width > width) {
      size -= 1;
      context.font = `${size}px ${FONT}`;
    }
    context.fillText(text, x, y);
  }

  // The legend as a list of text beside the canvas (visually hidden): each class's label and its colour.
  keyText() {
    const legend = this.meta.legend;
    const rgb = (step) => `rgb(${this.palette[3 * step]}, ${this.palette[3 * step + 1]}, ${this.palette[3 * step + 2]})`;
    const rows = legend.classes
      ? [...legend.classes, [legend.no_value, "No value"]]
      : [...legend.ticks.map(([, label]) => [null, label]), [legend.no_value, "No value"]];
    this.key.replaceChildren(
      ...rows.map(([step, label]) => {
        const item = element("li", "", null, label);
        if (step !== null) item.dataset.colour = rgb(step);
        return item;
      }),
    );
  }

  rowAt(clientX, clientY) {
    if (!this.view || !this.layer) return -1;
    const box = this.canvas.getBoundingClientRect();
    const cx = clientX - box.left;
    if (cx >= this.room()) return -1; // under the legend
    const px = Math.floor((cx - this.view.x) / this.view.scale);
    const py = Math.floor((clientY - box.top - this.view.y) / this.view.scale);
    const { width, height } = this.geo.meta;
    if (px < 0 || py < 0 || px >= width || py >= height) return -1;
    return this.geo.index[py * width + px] - 1;
  }

  hoverLines(row) {
    const meta = this.meta;
    const value = this.values[row];
    const lines = [
      [`${this.geo.name(row)} (${this.geo.code(row)})`, true],
      [`${meta.label}: ${Number.isNaN(value) ? "no value" : formatValue(value, meta.format)}`, false],
    ];
    const step = this.steps ? this.steps[row] : -1;
    if (meta.legend.classes && step >= meta.legend.first) lines.push([meta.legend.names[step - meta.legend.first], false]);
    const district = (this.district || this.geo.district)[row];
    if (district !== this.geo.meta.no_district) {
      const [code, name] = this.geo.meta.districts[district];
      const median = this.districtMedians[district];
      const text = Number.isNaN(median) ? "no values" : `median ${formatValue(median, meta.format)}`;
      lines.push([`${name} (${code}): ${text}`, false]);
    }
    return lines;
  }

  hover(event) {
    const row = this.rowAt(event.clientX, event.clientY);
    if (row < 0) {
      this.tip.style.display = "none";
      return;
    }
    const lines = this.hoverLines(row);
    this.tip.replaceChildren(...lines.map(([text, bold]) => element("div", bold ? "vcs-tip-head" : "", null, text)));
    this.tip.style.display = "block";
    const box = this.stage.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const left = x > this.room() - 300; // near the legend: show the tip on the pointer's left
    const above = y > this.height - this.tip.offsetHeight - 24; // near the bottom: above the pointer
    this.tip.style.left = left ? "" : `${x + 14}px`;
    this.tip.style.right = left ? `${this.width - x + 14}px` : "";
    this.tip.style.top = above ? "" : `${Math.max(0, y - 10)}px`;
    this.tip.style.bottom = above ? `${this.height - y + 14}px` : "";
  }

  keydown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return; // the browser's own zoom keys stay the browser's
    const moves = {
      ArrowLeft: [KEY_STEP, 0],
      ArrowRight: [-KEY_STEP, 0],
      ArrowUp: [0, KEY_STEP],
      ArrowDown: [0, -KEY_STEP],
    };
    if (event.key === "+" || event.key === "=") this.zoomBy(1.6);
    else if (event.key === "-") this.zoomBy(1 / 1.6);
    else if (event.key === "0") this.fit();
    else if (moves[event.key]) this.panBy(...moves[event.key]);
    else return;
    event.preventDefault();
  }

  listen() {
    const canvas = this.canvas;
    let drag = null;
    const stop = () => {
      drag = null;
    };
    const position = (event) => {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    this.handlers = [
      [canvas, "wheel", (event) => {
          event.preventDefault();
          this.zoomBy(Math.exp(-event.deltaY * 0.0015), ...position(event));
        }, { passive: false }],
      [canvas, "pointerdown", (event) => {
          if (event.button !== 0) return;
          drag = { x: event.clientX, y: event.clientY, view: this.view };
          canvas.setPointerCapture(event.pointerId);
        }],
      [canvas, "pointermove", (event) => {
          if (drag && drag.view) {
            this.view = drag.view;
            this.panBy(event.clientX - drag.x, event.clientY - drag.y);
          } else this.hover(event);
        }],
      [canvas, "pointerup", stop],
      [canvas, "pointercancel", stop],
      [canvas, "lostpointercapture", stop],
      [canvas, "pointerleave", () => { this.tip.style.display = "none"; }],
      [canvas, "dblclick", (event) => this.zoomBy(2, ...position(event))],
      [this.root, "keydown", (event) => this.keydown(event)],
    ];
    for (const [target, type, handler, options] of this.handlers) target.addEventListener(type, handler, options);
    this.observer = new ResizeObserver(() => {
      if (!this.layer || this.stage.clientWidth === this.width) return;
      this.resize();
      this.schedule();
    });
    this.observer.observe(this.stage);
  }

  download() {
    if (!this.layer) return;
    const scale = 2; // sharp in board papers
    const header = 44;
    const footer = 26;
    const canvas = document.createElement("canvas");
    canvas.width = this.width * scale;
    canvas.height = (this.height + header + footer) * scale;
    const context = canvas.getContext("2d");
    context.scale(scale, scale);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, this.width, this.height + header + footer);
    context.save();
    context.translate(0, header);
    this.paint(context, this.width, this.height);
    context.restore();
    context.fillStyle = TEXT;
    context.font = `20px ${FONT}`;
    context.textBaseline = "middle";
    context.fillText(this.meta.title, 8, header / 2);
    context.font = `14px ${FONT}`;
    context.fillText(this.meta.source, 8, header + this.height + footer / 2);
    canvas.toBlob((blob) => {
      if (!blob) {
        this.status.textContent = "The PNG could not be made in this browser.";
        return;
      }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${this.meta.filename}.png`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    }, "image/png");
  }

  destroy() {
    this.destroyed = true;
    for (const [target, type, handler, options] of this.handlers) target.removeEventListener(type, handler, options);
    this.observer.disconnect();
    this.root.remove();
  }
}

// Streamlit calls this on every run (with the same parent element while the map stays on the page): the viewer
// there is reused, its geometry and view kept, and the map redrawn only when the payload's id changed. A cleanup
// that Streamlit runs late, for a call already superseded, leaves the live viewer alone.
const MOUNTED = new WeakMap();

export default function ({ data, parentElement }) {
  let mounted = MOUNTED.get(parentElement);
  if (!mounted) {
    mounted = { map: new RasterMap(parentElement), calls: 0, id: null };
    MOUNTED.set(parentElement, mounted);
  }
  const call = (mounted.calls += 1);
  const id = header(data)[0].id;
  if (id !== mounted.id) {
    mounted.id = id;
    mounted.map.load(data);
  }
  return () => {
    if (call !== mounted.calls || MOUNTED.get(parentElement) !== mounted) return;
    MOUNTED.delete(parentElement);
    mounted.map.destroy();
  };
}
