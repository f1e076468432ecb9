"""Benchmark: the inbox's full-text search over 1,000,000 messages.

Usage: python -m bench.inbox_search [--messages 1000000] [--accounts 4] [--runs 20]
BENCH_DATABASE_URL selects the PostgreSQL server (else an embedded one; TEST_DATABASE_URL's
server works too); a throwaway database is created, migrated and dropped. The messages are made
in one INSERT … SELECT generate_series: 6 to 14 words each from a vocabulary of a salon's, a
clinic's and a gym's WhatsApp talk, over a year, across many conversations of a few accounts.
Each query then runs through zapfleet.db.search.search_messages on a tenant connection (the
runtime role, row-level security on), as the API does. Goal: p95 ≤ 200 ms.
"""
from __future__ import annotations

import argparse
import statistics
import time
import uuid

import psycopg2

from bench.benchdb import bench_database
from zapfleet.db import Database, runtime_dsns
from zapfleet.db import search as search_sql

WORDS = (
    "oi olá bom dia boa tarde noite obrigada obrigado por favor quero queria gostaria agendar agendamento "
    "marcar remarcar cancelar desmarcar horário horários amanhã hoje sábado domingo segunda terça quarta "
    "quinta sexta semana próxima manhã tarde cedo depois antes corte cabelo escova progressiva hidratação "
    "coloração luzes mechas manicure pedicure unha unhas sobrancelha depilação maquiagem barba massagem "
    "limpeza pele consulta retorno exame dentista clareamento avaliação fisioterapia pilates musculação "
    "treino aula matrícula mensalidade plano academia personal nutricionista dieta preço preços valor "
    "quanto custa promoção desconto pacote pagamento pix cartão dinheiro parcelar boleto recibo nota "
    "endereço onde fica estacionamento perto centro rua avenida número telefone whatsapp mensagem "
    "confirmar confirmado confirmação lembrete atraso atrasada chegando chegar esperar fila vaga vagas "
    "disponível disponibilidade lotado cheio aberto fechado feriado funcionamento atendimento "
    "profissional cabeleireira esteticista doutora doutor recepção sim não talvez claro certo combinado "
    "beleza perfeito ótimo maravilha adorei amei gostei voltar indicar amiga filha filho mãe marido "
    "criança cliente nova novo primeira vez sempre muito pouco mais menos também então agora já ainda"
).split()
QUERIES = ("horário", "agendar corte", "cancelar amanhã", "escova progressiva", "preço", "promoção",
           "\"corte de cabelo\"", "pagamento pix", "manicure -pedicure", "endereço estacionamento",
           "clareamento", "remarcar consulta", "mensalidade academia", "obrigada", "fisioterapia sábado",
           "horario", "limpeza de pele", "nutricionista dieta")
FILL = """
INSERT INTO messages (account_id, conversation_id, direction, body, status, created_at)
SELECT c.account_id, c.id, CASE WHEN g %% 2 = 0 THEN 'in' ELSE 'out' END,
       (SELECT string_agg((%(words)s::text[])[1 + floor(random() * %(vocabulary)s)::int], ' ')
          FROM generate_series(1, 6 + (g %% 9))),
       CASE WHEN g %% 2 = 0 THEN 'received' ELSE 'read' END,
       now() - make_interval(secs => (%(messages)s - g) * 31.5)
  FROM generate_series(1, %(messages)s) g
  JOIN bench_conversations c ON c.n = g %% %(conversations)s
"""


def fill(owner_url: str, accounts: int, conversations: int, messages: int) -> list[uuid.UUID]:
    """Accounts, their contacts and conversations, and the messages; the accounts' ids."""
    conn = psycopg2.connect(owner_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("INSERT INTO accounts (name, slug) SELECT 'Conta ' || a, 'bench-' || a"
                    " FROM generate_series(1, %s) a RETURNING id", (accounts,))
        ids = [row[0] for row in cur.fetchall()]
        cur.execute("INSERT INTO contacts (account_id, phone, name)"
                    " SELECT a.id, '55119' || lpad(k::text, 8, '0'), 'Cliente ' || k"
                    " FROM generate_series(1, %s) k JOIN (SELECT id, row_number() OVER () - 1 AS r"
                    " FROM accounts) a ON a.r = k %% %s", (conversations, accounts))
        cur.execute("INSERT INTO conversations (account_id, contact_id) SELECT account_id, id FROM contacts")
        cur.execute("CREATE TEMP TABLE bench_conversations AS"
                    " SELECT row_number() OVER () - 1 AS n, id, account_id FROM conversations")
        cur.execute("CREATE INDEX ON bench_conversations (n)")
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_search_idx'")
        search_index = cur.fetchone()[0]
        cur.execute("DROP INDEX messages_search_idx")  # built once after the fill: faster
        cur.execute("ALTER TABLE messages DISABLE TRIGGER USER")  # no live events for the bench
        cur.execute(FILL, {"words": list(WORDS), "vocabulary": len(WORDS), "messages": messages,
                           "conversations": conversations})
        cur.execute("ALTER TABLE messages ENABLE TRIGGER USER")
        cur.execute(search_index)
        cur.execute("UPDATE conversations c SET last_message_at = m.at FROM (SELECT conversation_id,"
                    " max(created_at) AS at FROM messages GROUP BY conversation_id) m"
                    " WHERE m.conversation_id = c.id")
        cur.execute("VACUUM ANALYZE messages")
        cur.execute("VACUUM ANALYZE conversations")
        cur.execute("VACUUM ANALYZE contacts")
    conn.close()
    return ids


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(db: Database, accounts: list[uuid.UUID], runs: int) -> dict[str, tuple[list[float], int]]:
    """Milliseconds of each query, run `runs` times across the accounts, and its hits."""
    timings: dict[str, tuple[list[float], int]] = {}
    for q in QUERIES:
        times, hits = [], 0
        for run in range(runs):
            account = accounts[run % len(accounts)]
            with db.tenant(account) as conn:
                start = time.perf_counter()
                rows = search_sql.search_messages(conn, account, q, 20)
                times.append((time.perf_counter() - start) * 1000)
            hits = max(hits, len(rows))
        timings[q] = (times, hits)
    return timings


def table(timings: dict[str, tuple[list[float], int]]) -> str:
    """The figures as a Markdown table, one row per query and one for all of them."""
    lines = ["| query | hits (≤20) | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    every: list[float] = []
    for q, (times, hits) in timings.items():
        every += times
        lines.append(f"| {q} | {hits} | {statistics.median(times):.1f} | {percentile(times, .95):.1f}"
                     f" | {percentile(times, .99):.1f} |")
    lines.append(f"| **all {len(every)} searches** | | {statistics.median(every):.1f} |"
                 f" {percentile(every, .95):.1f} | {percentile(every, .99):.1f} |")
    return "\n".join(lines)


def main() -> None:
    """Fill, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with bench_database() as owner_url:
        started = time.perf_counter()
        accounts = fill(owner_url, args.accounts, args.conversations, args.messages)
        print(f"filled {args.messages:,} messages in {args.conversations:,} conversations of "
              f"{args.accounts} accounts in {time.perf_counter() - started:.0f} s")
        platform, tenant = runtime_dsns(owner_url)
        db = Database(platform, max_connections=2, tenant_dsn=tenant)
        try:
            measure(db, accounts, 2)  # warm the cache once
            print(table(measure(db, accounts, args.runs)))
        finally:
            db.close()


if __name__ == "__main__":
    main()
