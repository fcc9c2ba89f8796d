// The browser tests' SMTP server: takes every message the panel sends
// (SMTP on SMTP_PORT) and hands them out as JSON over HTTP on
// SMTP_HTTP_PORT: GET /messages?to=<address> lists what arrived for it
// (without `to`: everything), each with its Message-ID.
import http from "node:http";
import net from "node:net";

const smtpPort = Number(process.env.SMTP_PORT ?? 3125);
const httpPort = Number(process.env.SMTP_HTTP_PORT ?? 3126);
const messages = [];

/** The text of a message as its Content-Transfer-Encoding says (RFC 2045). */
function decode(headers, body) {
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === "quoted-printable") {
    const bytes = Buffer.from(
      body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
      "latin1",
    );
    return bytes.toString("utf8");
  }
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}

net
  .createServer((socket) => {
    let buffer = "";
    let inData = false;
    let to = [];
    let data = [];
    socket.write("220 sink ready\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      let end;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            const text = Buffer.from(data.join("\r\n"), "latin1").toString("latin1");
            const split = text.indexOf("\r\n\r\n");
            const headers = split >= 0 ? text.slice(0, split) : text;
            const body = split >= 0 ? text.slice(split + 4) : "";
            const subject = /^subject:\s*(.*)$/im.exec(headers)?.[1] ?? "";
            const messageId = /^message-id:\s*(.*)$/im.exec(headers)?.[1]?.trim() ?? "";
            messages.push({ to, subject, messageId, body: decode(headers, body) });
            to = [];
            data = [];
            socket.write("250 kept\r\n");
          } else {
            data.push(line.startsWith(".") ? line.slice(1) : line);
          }
          continue;
        }
        const command = line.toUpperCase();
        if (command.startsWith("EHLO")) socket.write("250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
        else if (command.startsWith("RCPT TO")) {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
          socket.write("250 OK\r\n");
        } else if (command.startsWith("DATA")) {
          inData = true;
          socket.write("354 go on\r\n");
        } else if (command.startsWith("QUIT")) {
          socket.end("221 bye\r\n");
        } else socket.write("250 OK\r\n");
      }
    });
    socket.on("error", () => {});
  })
  .listen(smtpPort, "127.0.0.1");

http
  .createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://sink");
    const to = url.searchParams.get("to")?.toLowerCase();
    const found = messages.filter((m) => !to || m.to.some((t) => t.toLowerCase() === to));
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(found));
  })
  .listen(httpPort, "127.0.0.1");
