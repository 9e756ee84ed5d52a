// VCS Insight raster map: every small area painted into one image, coloured in the browser, with vector district
// outlines on a 2D canvas, exact hover (an index image says which area each pixel belongs to), zoom, pan and a
// PNG download. No map library: in a browser without a GPU a WebGL map costs seconds before it draws anything
// (docs/performance.md). Data come from insight/national_map.py in its packed format: a little-endian uint32
// header length, a JSON header, then the named binary parts the header locates.

const VIEWS = new Map(); // component key -> {scale, x, y}: a rerun keeps the zoom (like Plotly's uirevision)
const GEOMETRY = new Map(); // geometry URL -> Promise of the decoded geometry: fetched and decoded once per page
const FONT = "Arial, Helvetica, sans-serif";
const LEGEND_WIDTH = 150;
const MAX_ZOOM = 48; // screen pixels per image pixel, at most
const NO_DISTRICT = 65535; // an area's district index when it has none (insight.national_map.NO_DISTRICT)

export function unpack(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  const start = 4 + length;
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

function geometry(url, embedded) {
  if (embedded) return decodeGeometry(embedded);
  if (!GEOMETRY.has(url)) {
    // The name carries a hash of the content, so a copy in the browser's cache is always right: use it unchecked.
    const loading = fetch(url, { cache: "force-cache" })
      .then((response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.arrayBuffer();
      })
      .then((buffer) => decodeGeometry(new Uint8Array(buffer)));
    loading.catch(() => GEOMETRY.delete(url)); // try again on the next run
    GEOMETRY.set(url, loading);
  }
  return GEOMETRY.get(url);
}

// Numbers as the app formats them (insight.formatting.format_value): shares as %, pounds, integers, decimals.
export function formatValue(value, kind) {
  if (value === null || Number.isNaN(value)) return "n/a";
  const fixed = (digits) =>
    value.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (kind === "share") return `${(value * 100).toFixed(1)}%`;
  if (kind === "pound") {
    const digits = Math.abs(value) < 100 ? 2 : 0;
    return `£${value.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
  }
  if (kind === "integer") return Math.round(value).toLocaleString("en-GB");
  return fixed(Math.abs(value) < 10 ? 2 : 1);
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

class RasterMap {
  constructor(parent, key) {
    this.key = key;
    this.root = element("div", "vcs-raster-map", parent);
    this.root.tabIndex = 0;
    const header = element("div", "vcs-header", this.root);
    this.title = element("div", "vcs-title", header);
    const tools = element("div", "vcs-tools", header);
    this.button(tools, "−", "Zoom out", () => this.zoomBy(1 / 1.6));
    this.button(tools, "+", "Zoom in", () => this.zoomBy(1.6));
    this.button(tools, "⟲", "Reset the view", () => this.fit());
    this.button(tools, "PNG", "Download the map as PNG", () => this.download());
    this.stage = element("div", "vcs-stage", this.root);
    this.canvas = element("canvas", "vcs-canvas", this.stage);
    this.canvas.setAttribute("role", "img");
    this.tip = element("div", "vcs-tip", this.stage);
    this.status = element("div", "vcs-status", this.stage, "Loading the map…");
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
    const loading = (this.loading = (this.loading || 0) + 1);
    const { meta, parts } = unpack(data);
    this.title.textContent = meta.title;
    this.root.style.height = `${meta.height}px`;
    this.root.dataset.drawn = "false";
    let geo;
    try {
      geo = await geometry(meta.geometry_url, parts.geometry);
    } catch (error) {
      this.status.textContent = `The map could not be loaded (${error.message}). Reload the page to try again.`;
      return;
    }
    if (this.destroyed || loading !== this.loading) return; // removed, or a newer measure arrived meanwhile
    this.meta = meta;
    this.geo = geo;
    this.values = new Float64Array(parts.values.buffer);
    this.districtMedians = new Float64Array(parts.district_medians.buffer);
    this.canvas.setAttribute("aria-label", meta.alt);
    this.colourLayer(parts.palette, parts.steps);
    this.status.textContent = "";
    this.resize();
    const saved = VIEWS.get(this.key);
    if (saved && saved.width === this.geo.meta.width) this.view = saved;
    else this.fit(false);
    this.draw();
    requestAnimationFrame(() => {
      this.root.dataset.drawn = "true"; // read by the benchmarks and browser tests: the map is on screen
    });
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
    this.layer = new OffscreenCanvas(width, height);
    this.layer.getContext("2d").putImageData(image, 0, 0);
    this.palette = paletteBytes;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    this.width = Math.max(200, this.stage.clientWidth);
    this.height = Math.max(200, this.stage.clientHeight);
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
  }

  fit(redraw = true) {
    const { width, height } = this.geo.meta;
    const room = Math.max(100, this.width - LEGEND_WIDTH);
    const scale = 0.97 * Math.min(room / width, this.height / height);
    this.fitScale = scale;
    this.view = { scale, x: (room - width * scale) / 2, y: (this.height - height * scale) / 2, width };
    if (redraw) this.schedule();
  }

  zoomBy(factor, cx = (this.width - LEGEND_WIDTH) / 2, cy = this.height / 2) {
    if (!this.view) return;
    const { scale, x, y } = this.view;
    const next = Math.min(MAX_ZOOM, Math.max(this.fitScale * 0.7, scale * factor));
    const applied = next / scale;
    this.view = { ...this.view, scale: next, x: cx - (cx - x) * applied, y: cy - (cy - y) * applied };
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
    if (!this.layer) return;
    VIEWS.set(this.key, this.view);
    // Where the image is on screen (image pixel = (screen - x) / scale): read by the browser tests.
    this.root.dataset.view = `${this.view.scale},${this.view.x},${this.view.y}`;
    const context = this.canvas.getContext("2d");
    const ratio = this.canvas.width / this.width;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.paint(context, this.width, this.height);
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
    context.strokeStyle = "rgba(255, 255, 255, 0.85)";
    context.stroke(this.geo.outlines);
    context.restore();
    this.legend(context, width, height);
  }

  legend(context, width, height) {
    const legend = this.meta.legend;
    const left = width - LEGEND_WIDTH + 16;
    const top = 24;
    const barHeight = Math.min(320, height - 140);
    context.fillStyle = "rgba(255, 255, 255, 0.9)";
    context.fillRect(left - 12, 0, LEGEND_WIDTH - 4, top + barHeight + 96);
    context.fillStyle = "#262730";
    context.font = `15px ${FONT}`;
    context.textBaseline = "alphabetic";
    legend.title.forEach((line, i) => context.fillText(line, left, top + 16 * i));
    const barTop = top + 16 * legend.title.length + 4;
    const steps = legend.steps;
    for (let i = 0; i < steps; i += 1) {
      const at = 3 * (legend.first + steps - 1 - i); // highest value at the top
      context.fillStyle = `rgb(${this.palette[at]}, ${this.palette[at + 1]}, ${this.palette[at + 2]})`;
      context.fillRect(left, barTop + (barHeight * i) / steps, 22, barHeight / steps + 1);
    }
    context.fillStyle = "#262730";
    context.font = `15px ${FONT}`;
    context.textBaseline = "middle";
    for (const [position, label] of legend.ticks) {
      const ty = barTop + barHeight * (1 - position);
      context.fillRect(left + 22, ty - 0.5, 5, 1);
      context.fillText(label, left + 31, ty);
    }
    const greyAt = 3 * legend.no_value;
    context.fillStyle = `rgb(${this.palette[greyAt]}, ${this.palette[greyAt + 1]}, ${this.palette[greyAt + 2]})`;
    context.fillRect(left, barTop + barHeight + 16, 22, 14);
    context.fillStyle = "#262730";
    context.fillText("No value", left + 31, barTop + barHeight + 23);
  }

  rowAt(clientX, clientY) {
    if (!this.view || !this.geo) return -1;
    const box = this.canvas.getBoundingClientRect();
    const px = Math.floor((clientX - box.left - this.view.x) / this.view.scale);
    const py = Math.floor((clientY - box.top - this.view.y) / this.view.scale);
    const { width, height } = this.geo.meta;
    if (px < 0 || py < 0 || px >= width || py >= height) return -1;
    return this.geo.index[py * width + px] - 1;
  }

  hover(event) {
    const row = this.rowAt(event.clientX, event.clientY);
    if (row < 0) {
      this.tip.style.display = "none";
      return;
    }
    const meta = this.meta;
    const district = this.geo.district[row];
    const value = this.values[row];
    const lines = [
      [`${this.geo.name(row)} (${this.geo.code(row)})`, true],
      [`${meta.label}: ${Number.isNaN(value) ? "no value" : formatValue(value, meta.format)}`, false],
    ];
    if (district !== NO_DISTRICT) {
      const [code, name] = this.geo.meta.districts[district];
      const median = this.districtMedians[district];
      const text = Number.isNaN(median) ? "no values" : `median ${formatValue(median, meta.format)}`;
      lines.push([`${name} (${code}): ${text}`, false]);
    }
    this.tip.replaceChildren(...lines.map(([text, bold]) => element("div", bold ? "vcs-tip-head" : "", null, text)));
    this.tip.style.display = "block";
    const box = this.stage.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const flip = x > this.width - LEGEND_WIDTH - 260;
    this.tip.style.left = flip ? "" : `${x + 14}px`;
    this.tip.style.right = flip ? `${this.width - x + 14}px` : "";
    this.tip.style.top = `${Math.max(0, y - 10)}px`;
  }

  listen() {
    const canvas = this.canvas;
    let drag = null;
    this.handlers = [
      [canvas, "wheel", (event) => {
          event.preventDefault();
          const box = canvas.getBoundingClientRect();
          this.zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
        }, { passive: false }],
      [canvas, "pointerdown", (event) => {
          drag = { x: event.clientX, y: event.clientY, view: this.view };
          canvas.setPointerCapture(event.pointerId);
        }],
      [canvas, "pointermove", (event) => {
          if (drag && drag.view) {
            const view = drag.view;
            this.view = { ...view, x: view.x + event.clientX - drag.x, y: view.y + event.clientY - drag.y };
            this.tip.style.display = "none";
            this.schedule();
          } else this.hover(event);
        }],
      [canvas, "pointerup", () => { drag = null; }],
      [canvas, "pointerleave", () => { this.tip.style.display = "none"; }],
      [canvas, "dblclick", (event) => {
          const box = canvas.getBoundingClientRect();
          this.zoomBy(2, event.clientX - box.left, event.clientY - box.top);
        }],
      [this.root, "keydown", (event) => {
          const moves = { ArrowLeft: [80, 0], ArrowRight: [-80, 0], ArrowUp: [0, 80], ArrowDown: [0, -80] };
          if (event.key === "+" || event.key === "=") this.zoomBy(1.6);
          else if (event.key === "-") this.zoomBy(1 / 1.6);
          else if (event.key === "0") this.fit();
          else if (moves[event.key] && this.view) {
            const [dx, dy] = moves[event.key];
            this.view = { ...this.view, x: this.view.x + dx, y: this.view.y + dy };
            this.schedule();
          } else return;
          event.preventDefault();
        }],
    ];
    for (const [target, type, handler, options] of this.handlers) target.addEventListener(type, handler, options);
    this.observer = new ResizeObserver(() => {
      if (!this.layer || this.stage.clientWidth === this.width) return;
      this.resize();
      this.fit();
    });
    this.observer.observe(this.stage);
  }

  download() {
    if (!this.layer) return;
    const scale = 2; // sharp in board papers
    const header = 44;
    const canvas = document.createElement("canvas");
    canvas.width = this.width * scale;
    canvas.height = (this.height + header) * scale;
    const context = canvas.getContext("2d");
    context.scale(scale, scale);
    context.save();
    context.translate(0, header);
    this.paint(context, this.width, this.height);
    context.restore();
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, this.width, header);
    context.fillStyle = "#262730";
    context.font = `20px ${FONT}`;
    context.textBaseline = "middle";
    context.fillText(this.meta.title, 8, header / 2);
    context.font = `12px ${FONT}`;
    context.textBaseline = "bottom";
    context.fillText(this.meta.source, 8, header + this.height - 6);
    canvas.toBlob((blob) => {
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

// Streamlit calls this on every run whose data changed, with the same parent element while the map stays on the
// page: the viewer there is reused (its geometry and view kept), and removed when Streamlit calls the cleanup.
const MOUNTED = new WeakMap();

export default function ({ data, parentElement, key }) {
  let map = MOUNTED.get(parentElement);
  if (!map) {
    map = new RasterMap(parentElement, key || "raster-map");
    MOUNTED.set(parentElement, map);
  }
  if (map.data !== data) {
    map.data = data;
    map.load(data);
  }
  return () => {
    MOUNTED.delete(parentElement);
    map.destroy();
  };
}
