// VCS Insight raster map: every small area painted into one image, coloured in the browser and shown on a Leaflet
// map (zoom, pan, keys, pinch, attribution), with district outlines as vectors, exact hover (an index image says
// which area each pixel belongs to) and a PNG download. Data come from insight/maps/national.py in its packed
// format: a little-endian uint32 header length, a JSON header, then the named binary parts the header locates.
// Every text the tooltip shows is written by Python (insight.formatting).

const GEOMETRY = new Map(); // geometry id -> Promise of the decoded geometry; only the latest database's is kept
let LEAFLET = null; // Promise of Leaflet (window.L), loaded once per page
const FONT = "Arial, Helvetica, sans-serif";
const TEXT = "#262730";
const LEGEND_WIDTH = 170; // the legend's column on the right of the map
const PADDING = 8; // CSS pixels around the fitted image
const MAX_ZOOM = 48; // screen pixels per image pixel, at most
const ZOOM_STEP = 1.6; // how much the + and − buttons and keys zoom

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

const lines = (bytes) => new TextDecoder().decode(bytes).split("\n");

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
  // District outlines in image pixels: each ring as [x, y] points (for Leaflet) and all of them as a Path2D (PNG).
  const lengths = new Uint32Array(parts.ring_lengths.buffer);
  const points = new Int16Array(parts.ring_points.buffer);
  const scale = meta.outline_scale;
  const rings = [];
  const outlines = new Path2D();
  for (let ring = 0, at = 0; ring < lengths.length; at += 2 * lengths[ring], ring += 1) {
    const xy = [];
    for (let k = 0; k < 2 * lengths[ring]; k += 2) xy.push([points[at + k] / scale, points[at + k + 1] / scale]);
    rings.push(xy);
    xy.forEach(([x, y], k) => (k ? outlines.lineTo(x, y) : outlines.moveTo(x, y)));
    outlines.closePath();
  }
  let codes = null;
  let names = null;
  return {
    meta,
    index,
    rings,
    outlines,
    district: new Uint16Array(parts.district.buffer),
    code: (row) => {
      codes = codes || new TextDecoder().decode(parts.codes);
      return codes.substr(meta.code_length * row, meta.code_length);
    },
    name: (row) => {
      names = names || lines(parts.names);
      return names[row];
    },
  };
}

async function fetchBytes(url, cache) {
  const response = await fetch(url, { cache });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchGeometry(url) {
  // The name carries a hash of the content, so a copy in the browser's cache is right: use it unchecked; if it
  // cannot be decoded (a damaged copy), fetch it once more from the app.
  try {
    return await decodeGeometry(await fetchBytes(url, "force-cache"));
  } catch {
    return decodeGeometry(await fetchBytes(url, "reload"));
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

// Leaflet's own build (insight/assets/leaflet), served by the app under a hashed name (or embedded in the payload):
// a classic script, loaded once per page (the browser caches it, and its compiled code); it defines window.L.
function leaflet(meta, embedded) {
  if (!LEAFLET) {
    LEAFLET = new Promise((resolve, reject) => {
      if (globalThis.L) return resolve(globalThis.L);
      const script = document.createElement("script");
      script.src = embedded ? URL.createObjectURL(new Blob([embedded], { type: "text/javascript" })) : meta.leaflet_url;
      script.onload = () => resolve(globalThis.L);
      script.onerror = () => reject(new Error(`${meta.leaflet_url || "Leaflet"} could not be loaded`));
      document.head.appendChild(script);
    });
    LEAFLET.catch(() => (LEAFLET = null)); // try again on the next run
  }
  return LEAFLET;
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
    this.root.setAttribute("role", "region");
    const top = element("div", "vcs-header", this.root);
    this.title = element("div", "vcs-title", top);
    const tools = element("div", "vcs-tools", top);
    this.button(tools, "⟲", "Reset the view (key 0)", () => this.fit());
    this.button(tools, "PNG", "Download the map as PNG", () => this.download());
    this.stage = element("div", "vcs-stage", this.root);
    this.container = element("div", "vcs-canvas", this.stage); // the Leaflet map
    this.status = element("div", "vcs-status", this.stage, "Loading the map…");
    this.key = element("ul", "vcs-key", this.root); // the legend as text, for screen readers and tests
    this.key.setAttribute("aria-label", "Legend");
    this.layer = element("canvas", "vcs-layer"); // the coloured image, one pixel per index pixel
    this.legendCanvas = element("canvas", "vcs-legend");
    this.tipLines = element("span", "vcs-tip-lines");
    this.loading = 0;
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
      const [L, geo] = await Promise.all([leaflet(meta, parts.leaflet), geometry(meta, parts.geometry)]);
      if (!current()) return;
      this.meta = meta;
      this.valueText = lines(parts.value_text);
      this.medianText = lines(parts.median_text);
      // The measure's own LSOA -> district index when its rule differs from the geometry's (insight.districts).
      this.district = parts.district ? new Uint16Array(parts.district.buffer) : null;
      this.palette = parts.palette;
      this.steps = parts.steps;
      this.container.setAttribute("aria-label", meta.alt);
      if (!this.map) this.createMap(L);
      if (this.geo !== geo) this.showGeometry(L, geo);
      this.colour();
      this.keyText();
      this.paintLegend();
      this.status.textContent = "";
      this.showView();
      requestAnimationFrame(() => {
        if (current()) this.root.dataset.drawn = "true"; // read by the benchmarks and tests: the map is on screen
      });
    } catch (error) {
      if (!current()) return;
      this.status.textContent = `The map could not be drawn (${error.message}). Reload the page to try again.`;
    }
  }

  createMap(L) {
    const map = L.map(this.container, {
      zoomControl: false,
      zoomSnap: 0, // fit the image exactly; zoom by any factor
      zoomDelta: Math.log2(ZOOM_STEP),
      wheelPxPerZoomLevel: 120,
    });
    // The district outlines on one canvas, in a pane that never takes the pointer: on Leaflet's own canvas the
    // renderer answers mouse moves itself, at most one per 32 ms, and drops the rest, so the tooltip could name the
    // area the pointer had just left.
    map.createPane("vcs-outlines").style.pointerEvents = "none";
    map.getPane("vcs-outlines").style.zIndex = "450"; // above the image (overlay pane, 400), below tooltips
    this.outlineRenderer = L.canvas({ pane: "vcs-outlines" });
    L.control.zoom({ zoomInTitle: "Zoom in (key +)", zoomOutTitle: "Zoom out (key −)" }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    const legend = L.control({ position: "topright" });
    legend.onAdd = () => this.legendCanvas;
    legend.addTo(map);
    L.DomEvent.disableClickPropagation(this.legendCanvas);
    L.DomEvent.disableScrollPropagation(this.legendCanvas);
    this.tip = L.tooltip({ className: "vcs-tip", offset: [12, 0], opacity: 1 });
    this.tip.setContent(this.tipLines);
    map.on("mousemove", (event) => this.hover(event));
    map.on("mouseout movestart zoomstart", () => this.tip.remove());
    map.on("movestart", () => {
      if (!this.fitting) this.fitted = false;
    });
    map.on("moveend zoomend", () => this.showView());
    this.container.addEventListener("keydown", (event) => {
      if (event.key === "0" && !(event.ctrlKey || event.metaKey || event.altKey)) this.fit();
    });
    this.observer = new ResizeObserver(() => {
      map.invalidateSize({ animate: false });
      if (this.fitted) this.fit();
    });
    this.observer.observe(this.stage);
    this.L = L;
    this.map = map;
  }

  // The image's pixels are square in Web Mercator from its north-west corner: image pixel (x, y) -> LatLng.
  latLngOf(meta) {
    const { L } = this;
    const mercator = L.Projection.SphericalMercator;
    const [west, , east, north] = meta.bounds;
    const origin = mercator.project(L.latLng(north, west));
    const size = (mercator.project(L.latLng(north, east)).x - origin.x) / meta.width;
    return (x, y) => mercator.unproject(L.point(origin.x + x * size, origin.y - y * size));
  }

  showGeometry(L, geo) {
    const latLng = this.latLngOf(geo.meta);
    const { width, height } = geo.meta;
    this.bounds = L.latLngBounds(latLng(0, height), latLng(width, 0));
    this.layer.width = width;
    this.layer.height = height;
    if (this.overlay) this.overlay.remove();
    if (this.outlines) this.outlines.remove();
    this.geo = geo;
    this.fit(); // before the layers are added: placing them once is enough
    const Overlay = overlayClass(L);
    this.overlay = new Overlay(this.layer, this.bounds, { attribution: this.meta.attribution }).addTo(this.map);
    const rings = geo.rings.map((ring) => ring.map(([x, y]) => latLng(x, y)));
    this.outlines = L.polygon(rings, {
      fill: false, color: "#ffffff", opacity: 0.9, weight: 1.2, interactive: false, renderer: this.outlineRenderer,
    });
    this.outlines.addTo(this.map);
  }

  fit() {
    if (!this.bounds) return;
    const map = this.map;
    this.fitting = true;
    Object.assign(map.options, { minZoom: 0, maxZoom: 30 }); // no limit while fitting (and no events)
    map.fitBounds(this.bounds, {
      paddingTopLeft: [PADDING, PADDING],
      paddingBottomRight: [LEGEND_WIDTH + PADDING, PADDING],
      animate: false,
    });
    const zoom = map.getZoom();
    map.setMinZoom(zoom + Math.log2(0.7)).setMaxZoom(zoom + Math.log2(MAX_ZOOM / this.view().scale));
    this.fitting = false;
    this.fitted = true;
  }

  // Where the image is in the map's container: image pixel = (container position - x, y) / scale.
  view() {
    const map = this.map;
    const corner = map.layerPointToContainerPoint(map.project(this.bounds.getNorthWest()).subtract(map.getPixelOrigin()));
    const right = map.layerPointToContainerPoint(map.project(this.bounds.getSouthEast()).subtract(map.getPixelOrigin()));
    return { scale: (right.x - corner.x) / this.geo.meta.width, x: corner.x, y: corner.y };
  }

  showView() {
    if (!this.geo) return;
    const { scale, x, y } = this.view();
    this.layer.style.imageRendering = scale < 1 ? "auto" : "pixelated"; // blend areas when shrunk, else crisp
    this.root.dataset.view = `${scale},${x},${y}`; // read by the browser tests
  }

  colour() {
    const { width, height, count } = this.geo.meta;
    const palette = this.palette;
    const lut = new Uint32Array(count + 1); // per area (row + 1): RGBA packed little-endian; 0 = outside, clear
    for (let row = 0; row < count; row += 1) {
      const at = 3 * this.steps[row];
      lut[row + 1] = (255 << 24) | (palette[at + 2] << 16) | (palette[at + 1] << 8) | palette[at];
    }
    const image = new ImageData(width, height);
    const pixels = new Uint32Array(image.data.buffer);
    const index = this.geo.index;
    for (let p = 0; p < pixels.length; p += 1) pixels[p] = lut[index[p]];
    this.layer.getContext("2d").putImageData(image, 0, 0);
  }

  rgb(step) {
    return `rgb(${this.palette[3 * step]}, ${this.palette[3 * step + 1]}, ${this.palette[3 * step + 2]})`;
  }

  paintLegend() {
    const ratio = window.devicePixelRatio || 1;
    const height = Math.min(this.stage.clientHeight, this.legendHeight());
    this.legendCanvas.width = Math.round(LEGEND_WIDTH * ratio);
    this.legendCanvas.height = Math.round(height * ratio);
    this.legendCanvas.style.width = `${LEGEND_WIDTH}px`;
    this.legendCanvas.style.height = `${height}px`;
    const context = this.legendCanvas.getContext("2d");
    context.scale(ratio, ratio);
    this.legend(context, this.stage.clientHeight);
  }

  legendHeight() {
    const legend = this.meta.legend;
    const barTop = 14 + 19 * legend.title.length;
    if (legend.classes) return barTop + 34 * (legend.classes.length + 1) + 12;
    return barTop + this.barHeight(this.stage.clientHeight, barTop) + 52;
  }

  barHeight(height, barTop) {
    return Math.max(80, Math.min(320, height - barTop - 70));
  }

  // The legend in a LEGEND_WIDTH-wide column from (0, 0), for a map of the given height (on screen or in the PNG).
  legend(context, height) {
    const legend = this.meta.legend;
    const left = 14;
    const line = 19;
    const barTop = 14 + line * legend.title.length;
    const barHeight = this.barHeight(height, barTop);
    context.fillStyle = "rgba(255, 255, 255, 0.92)";
    context.fillRect(0, 0, LEGEND_WIDTH, this.legendHeight());
    context.fillStyle = TEXT;
    context.font = `16px ${FONT}`;
    context.textBaseline = "alphabetic";
    legend.title.forEach((text, i) => context.fillText(text, left, 18 + line * i));
    if (legend.classes) {
      this.classLegend(context, legend, { left, top: barTop });
      return;
    }
    for (let i = 0; i < legend.steps; i += 1) {
      context.fillStyle = this.rgb(legend.first + legend.steps - 1 - i); // highest value at the top
      context.fillRect(left, barTop + (barHeight * i) / legend.steps, 24, barHeight / legend.steps + 1);
    }
    context.fillStyle = TEXT;
    context.textBaseline = "middle";
    for (const [position, label] of legend.ticks) {
      const ty = barTop + barHeight * (1 - position);
      context.fillRect(left + 24, ty - 0.5, 5, 1);
      context.fillText(label, left + 33, ty);
    }
    context.fillStyle = this.rgb(legend.no_value);
    context.fillRect(left, barTop + barHeight + 18, 24, 16);
    context.fillStyle = TEXT;
    context.fillText("No value", left + 33, barTop + barHeight + 26);
  }

  // Decile classes: one swatch per class (class 1 first) beside its name and range of values; then "No value".
  classLegend(context, legend, { left, top }) {
    const row = 34;
    context.textBaseline = "middle";
    const rows = [...legend.classes, [legend.no_value, "No value"]];
    rows.forEach(([step, label], i) => {
      const y = top + i * row + (i === legend.classes.length ? 6 : 0);
      context.fillStyle = this.rgb(step);
      context.fillRect(left, y, 24, row - 4);
      context.fillStyle = TEXT;
      const parts = label.split(": ");
      const first = parts.length > 1 ? y + 8 : y + (row - 4) / 2;
      parts.forEach((text, j) => this.fittedText(context, text, left + 30, first + 15 * j, LEGEND_WIDTH - 44));
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

  // The legend as a list of text beside the map (visually hidden): each class's label and its colour.
  keyText() {
    const legend = this.meta.legend;
    const rows = legend.classes
      ? [...legend.classes, [legend.no_value, "No value"]]
      : [...legend.ticks.map(([, label]) => [null, label]), [legend.no_value, "No value"]];
    this.key.replaceChildren(
      ...rows.map(([step, label]) => {
        const item = element("li", "", null, label);
        if (step !== null) item.dataset.colour = this.rgb(step);
        return item;
      }),
    );
  }

  rowAt(point) {
    if (point.x >= this.map.getSize().x - LEGEND_WIDTH) return -1; // under the legend
    const { scale, x, y } = this.view();
    const px = Math.floor((point.x - x) / scale);
    const py = Math.floor((point.y - y) / scale);
    const { width, height } = this.geo.meta;
    if (px < 0 || py < 0 || px >= width || py >= height) return -1;
    return this.geo.index[py * width + px] - 1;
  }

  // The tooltip: the area's name and code, its value, its class, its district and the district's median (texts
  // written by Python).
  hoverLines(row) {
    const meta = this.meta;
    const lines = [[`${this.geo.name(row)} (${this.geo.code(row)})`, true], [`${meta.label}: ${this.valueText[row]}`]];
    const step = this.steps[row];
    if (meta.legend.classes && step >= meta.legend.first) lines.push([meta.legend.names[step - meta.legend.first]]);
    const district = (this.district || this.geo.district)[row];
    if (district !== this.geo.meta.no_district) {
      const [code, name] = this.geo.meta.districts[district];
      lines.push([`${name} (${code}): ${this.medianText[district]}`]);
    }
    return lines;
  }

  hover(event) {
    const row = this.geo && !this.map.dragging.moving() ? this.rowAt(event.containerPoint) : -1;
    if (row < 0) {
      this.tip.remove();
      return;
    }
    const lines = this.hoverLines(row).map(([text, bold]) => element("div", bold ? "vcs-tip-head" : "", null, text));
    this.tipLines.replaceChildren(...lines);
    const room = this.map.getSize().x - LEGEND_WIDTH;
    const left = event.containerPoint.x > room - 380; // never under the legend
    Object.assign(this.tip.options, { direction: left ? "left" : "right", offset: [left ? -12 : 12, 0] }); // beside the pointer
    this.tip.setLatLng(event.latlng);
    if (!this.map.hasLayer(this.tip)) this.tip.addTo(this.map);
  }

  download() {
    if (!this.geo) return;
    const scale = 2; // sharp in board papers
    const top = 44;
    const bottom = 26;
    const { x: width, y: height } = this.map.getSize();
    const view = this.view();
    const meta = this.geo.meta;
    const canvas = document.createElement("canvas");
    canvas.width = width * scale;
    canvas.height = (height + top + bottom) * scale;
    const context = canvas.getContext("2d");
    context.scale(scale, scale);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height + top + bottom);
    context.save();
    context.translate(0, top);
    context.beginPath();
    context.rect(0, 0, width, height);
    context.clip();
    context.imageSmoothingEnabled = view.scale < 1; // as on screen
    context.imageSmoothingQuality = "medium";
    context.drawImage(this.layer, view.x, view.y, meta.width * view.scale, meta.height * view.scale);
    context.save();
    context.translate(view.x, view.y);
    context.scale(view.scale, view.scale);
    context.lineWidth = 1.2 / view.scale;
    context.lineJoin = "round";
    context.strokeStyle = "rgba(255, 255, 255, 0.9)";
    context.stroke(this.geo.outlines);
    context.restore();
    context.translate(width - LEGEND_WIDTH, 0);
    this.legend(context, height);
    context.restore();
    context.fillStyle = TEXT;
    context.font = `20px ${FONT}`;
    context.textBaseline = "middle";
    context.fillText(this.meta.title, 8, top / 2);
    context.font = `14px ${FONT}`;
    context.fillText(this.meta.source, 8, top + height + bottom / 2);
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
    if (this.observer) this.observer.disconnect();
    if (this.map) this.map.remove();
    this.root.remove();
  }
}

// An image overlay whose image is a <canvas> (recoloured in place), placed at its exact, unrounded position so that
// hover and the PNG agree with the screen to the pixel.
let CanvasOverlay = null;

function overlayClass(L) {
  CanvasOverlay =
    CanvasOverlay ||
    L.ImageOverlay.extend({
      _initImage() {
        this._image = this._url;
        L.DomUtil.addClass(this._image, "leaflet-image-layer");
        if (this._zoomAnimated) L.DomUtil.addClass(this._image, "leaflet-zoom-animated");
      },
      _reset() {
        const map = this._map;
        const corner = map.project(this._bounds.getNorthWest()).subtract(map.getPixelOrigin());
        const size = map.project(this._bounds.getSouthEast()).subtract(map.getPixelOrigin()).subtract(corner);
        L.DomUtil.setPosition(this._image, corner);
        this._image.style.width = `${size.x}px`;
        this._image.style.height = `${size.y}px`;
      },
    });
  return CanvasOverlay;
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
