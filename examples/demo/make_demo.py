#!/usr/bin/env python3
"""Regenerates the demo project's data (deterministic; every value is invented)."""
import gzip, json, os, random, sqlite3

rng = random.Random(7)
os.makedirs("data/exports", exist_ok=True)
os.makedirs("data/logs", exist_ok=True)
FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas"]
LAST = ["Martinez", "Anderson", "Taylor", "Thomas", "Hernandez", "Moore", "Martin", "Jackson", "Thompson", "White"]
CITIES = [("Sacramento", "CA", "95814"), ("Oakland", "CA", "94612"), ("Fresno", "CA", "93721"), ("San Diego", "CA", "92101")]

def luhn(payload):
    t = 0
    for i, c in enumerate(reversed(payload)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        t += d - 9 if d > 9 else d
    return str((10 - t % 10) % 10)

with open("data/exports/customers.csv", "w") as out:
    out.write("customer_id,first_name,last_name,email,phone,street_address,city,state,zip,date_of_birth,loyalty_tier,stripe_customer_id\n")
    for i in range(1, 61):
        f, l = rng.choice(FIRST), rng.choice(LAST)
        city, st, z = rng.choice(CITIES)
        dob = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.write(f"{i},{f},{l},{f.lower()}.{l.lower()}{i}@example.com,({rng.randint(201, 989)}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)},"
                  f"{rng.randint(10, 9999)} {rng.choice(['Oak', 'Pine', 'Elm', 'Cedar'])} Street,{city},{st},{z},{dob},{rng.choice(['gold', 'silver', 'bronze'])},cus_{rng.randrange(16**14):014x}\n")

with open("data/exports/orders.jsonl", "w") as out:
    for i in range(1, 81):
        payload = "4" + "".join(rng.choice("0123456789") for _ in range(14))
        out.write(json.dumps({
            "order_id": f"ORD-{100000 + i}",
            "customer": {"id": rng.randint(1, 60), "email": f"buyer{i}@example.com"},
            "payment": {"card_last4": payload[-4:], "card_number": payload + luhn(payload), "processor": "stripe"},
            "items": [{"sku": f"SKU-{rng.randint(1000, 9999)}", "qty": rng.randint(1, 3)}],
            "total": round(rng.uniform(5, 400), 2),
            "shipping": {"zip": rng.choice(CITIES)[2]},
        }) + "\n")

agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"]
with open("data/logs/access.log", "w") as out:
    for i in range(400):
        ip = f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        path = rng.choice(["/", "/products/42", "/cart", "/checkout?step=2", f"/account?email=shopper{i}%40example.com"])
        ref = rng.choice(["-", "https://www.google.com/", "https://www.facebook.com/", "https://shop.example.com/cart"])
        out.write(f'{ip} - - [12/Oct/2026:10:{i % 60:02d}:00 +0000] "GET {path} HTTP/1.1" 200 {rng.randint(200, 9000)} "{ref}" "{rng.choice(agents)}"\n')

lines = []
for i in range(300):
    ts = f"2026-10-12T10:{i % 60:02d}:{i % 60:02d}Z"
    r = i % 10
    if r == 0:
        lines.append(f'{ts} level=info msg="payment captured" provider=stripe endpoint=https://api.stripe.com/v1/charges customer_email=buyer{i}@example.com')
    elif r == 1:
        lines.append(f'{ts} level=info msg="analytics event" collector=https://www.google-analytics.com/g/collect client_ip=203.0.113.{i % 250 + 1}')
    elif r == 2:
        lines.append(f'{ts} level=info msg="pixel fired" url=https://www.facebook.com/tr?id=1234567890&ev=Purchase fbclid=IwAR{rng.randrange(16**12):012x}')
    else:
        lines.append(f'{ts} level=info msg="request served" path=/products/{rng.randint(1, 99)} duration_ms={rng.randint(1, 900)}')
with gzip.GzipFile("data/logs/app.log.gz", "wb", mtime=0) as out:
    out.write(("\n".join(lines) + "\n").encode())

# A small SQLite database: what a user without a database server scans.
if os.path.exists("data/shop.db"):
    os.remove("data/shop.db")
db = sqlite3.connect("data/shop.db")
db.executescript("""
CREATE TABLE employees (employee_id INTEGER PRIMARY KEY, full_name TEXT, work_email TEXT, ssn TEXT, job_title TEXT, salary INTEGER, hire_date TEXT);
CREATE TABLE support_tickets (ticket_id INTEGER PRIMARY KEY, customer_id INTEGER, subject TEXT, message TEXT, created_at TEXT);
CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, price REAL, category TEXT);
""")
titles = ["Store Manager", "Sales Associate", "Warehouse Lead", "Customer Support Agent"]
for i in range(1, 21):
    f, l = rng.choice(FIRST), rng.choice(LAST)
    ssn = f"{rng.randint(100, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"
    db.execute("INSERT INTO employees VALUES (?,?,?,?,?,?,?)", (i, f"{f} {l}", f"{f.lower()}.{l.lower()}@store.example", ssn, rng.choice(titles), rng.randint(38000, 120000), f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"))
for i in range(1, 41):
    body = rng.choice(["My order has not arrived yet.", "Please update my shipping address.", f"You can reach me at caller{i}@example.com or (415) 555-{rng.randint(1000, 9999)}.", "The product was damaged."])
    db.execute("INSERT INTO support_tickets VALUES (?,?,?,?,?)", (i, rng.randint(1, 60), rng.choice(["Order status", "Refund", "Address change"]), body, f"2026-10-{rng.randint(10, 28)}"))
for i in range(1, 31):
    db.execute("INSERT INTO products VALUES (?,?,?,?)", (f"SKU-{1000 + i}", rng.choice(["Trail Jacket", "Camp Stove", "Hiking Boots", "Rain Shell"]) + f" {i}", round(rng.uniform(10, 300), 2), rng.choice(["outdoor", "footwear", "apparel"])))
db.commit()
db.close()
