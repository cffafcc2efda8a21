"""Regenerate the test fixtures built from 100 synthetic coded narratives.

    python scripts/make_fixtures.py           # (re)write the fixture files
    python scripts/make_fixtures.py --check   # exit 1 if the files differ from the tables

Writes, under ``tests/fixtures/``:

* ``sample_narratives.json`` - the 100 narratives in the seed schema
  (``id``, ``narrative``, ``code_type``, ``code``, ``description``, ``specialty``),
  40 ICD-10-CM, 30 CPT, 30 HCPCS;
* ``sample_stage_1.jsonl`` - the first 50 narratives as stage-1 examples;
* ``sample_stage_2.jsonl`` - the other 50 with the coder's reasoning (stage 2);
* ``sample_stage_3.jsonl`` - the same 50 as preference pairs whose ``rejected`` answer is a
  realistic mistake (see ``make_examples_stage_3_test.py`` for the mistake kinds).

The fixtures are synthetic and hand-written like the shipped examples, but they share no
narrative with ``data/examples/`` (the script checks), so tests can mix both without tripping the
duplicate check. Descriptions come from ``thce.codes``; an unknown code stops the script.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from example_tools import describe, interleave, write_or_compare
from make_examples_stage_3_test import (
    EXAMPLES_DIR,
    REPO_ROOT,
    Case,
    Pair,
    build_case_records,
    build_pair_records,
    check_records,
    check_rows,
    find_overlaps,
    load_training,
    report_overlaps,
)

from thce.codes import CodeValidator
from thce.data.formats import build_stage_2_example
from thce.io import write_json

FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures"
HALF_COUNTS = {"ICD10": 20, "CPT": 15, "HCPCS": 15}

# --------------------------------------------------------------------------------------------
# Narratives 1-50: stage-1 fixture (narrative -> code)
# --------------------------------------------------------------------------------------------
STAGE_1_CASES: list[Case] = [
    # ---- ICD-10-CM (20) ----
    Case(
        "24 yo with type 1 diabetes since childhood, on an insulin pump, A1c 7.0%. No "
        "retinopathy on dilated exam, normal urine albumin and normal foot sensation. No "
        "severe lows. Pump settings unchanged.",
        "ICD10",
        "E10.9",
        "endocrinology",
    ),
    Case(
        "BMI 42 in a 39 yo whose weight gain followed years of high calorie intake and little "
        "activity. Thyroid and cortisol tests normal, no medication cause. Severe obesity due "
        "to excess calories; referred to a weight management program.",
        "ICD10",
        "E66.01",
        "general medicine",
    ),
    Case(
        "71 yo with three-vessel coronary artery disease on angiography, managed medically and "
        "never bypassed. No chest pain or exertional angina for a year on aspirin, a statin and "
        "a beta-blocker. Stable; continue therapy.",
        "ICD10",
        "I25.10",
        "cardiology",
    ),
    Case(
        "33 yo with sudden spells of regular pounding heartbeat at 180 per minute. An event "
        "monitor captured a narrow-complex supraventricular tachycardia; the mechanism is not "
        "yet defined. Vagal maneuvers taught, electrophysiology referral.",
        "ICD10",
        "I47.10",
        "cardiology",
    ),
    Case(
        "Ten days of cough with clear to yellow sputum after a cold in a 45 yo nonsmoker, mild "
        "chest soreness, no fever. Scattered rhonchi, normal oxygen saturation, no signs of "
        "pneumonia. Acute bronchitis; no antibiotics.",
        "ICD10",
        "J20.9",
        "pulmonology",
    ),
    Case(
        "12 yo who wheezes only with colds a few times a year, symptoms under twice a week, "
        "no night waking, normal spirometry between episodes. Mild intermittent asthma, "
        "currently without symptoms; albuterol as needed.",
        "ICD10",
        "J45.20",
        "pediatrics",
    ),
    Case(
        "Three weeks of pain in the right knee after starting a running program in a 50 yo. "
        "No swelling, locking or giving way, full motion, normal X-ray. Cause not yet "
        "established; reduce mileage and return in a month.",
        "ICD10",
        "M25.561",
        "orthopedics",
    ),
    Case(
        "Gradual weakness lifting the right arm in a 63 yo with no injury. MRI of the right "
        "shoulder: full-thickness supraspinatus tear with retraction. Complete nontraumatic "
        "rotator cuff tear of the right shoulder; repair discussed.",
        "ICD10",
        "M75.121",
        "orthopedics",
    ),
    Case(
        "Two hard bowel movements a week with straining for several months in a 68 yo, no "
        "bleeding, weight loss or anemia, colonoscopy last year normal. Constipation, type not "
        "specified; fiber, fluids and polyethylene glycol.",
        "ICD10",
        "K59.00",
        "gastroenterology",
    ),
    Case(
        "Epigastric burning for a month in a 52 yo. Upper endoscopy: patchy gastric mucosal "
        "redness without erosions, ulcer or bleeding; biopsies pending. Gastritis, type not "
        "yet specified, without bleeding; proton pump inhibitor started.",
        "ICD10",
        "K29.70",
        "gastroenterology",
    ),
    Case(
        "Twenty minutes of right arm weakness and slurred speech in a 69 yo that resolved "
        "completely. MRI of the brain shows no infarct. Transient ischemic attack; antiplatelet "
        "therapy started and carotid imaging ordered.",
        "ICD10",
        "G45.9",
        "neurology",
    ),
    Case(
        "Numbness and tingling of the thumb, index and middle fingers of the right hand, worse "
        "at night, in a 47 yo data-entry clerk. Nerve conduction studies show median "
        "neuropathy at the right wrist. Carpal tunnel syndrome of the right hand; night splint.",
        "ICD10",
        "G56.01",
        "neurology",
    ),
    Case(
        "66 yo man with a weak urinary stream, hesitancy and getting up three times a night to "
        "urinate. Smooth, enlarged, non-tender prostate; PSA normal for age. Benign prostatic "
        "hyperplasia with lower urinary tract symptoms; tamsulosin started.",
        "ICD10",
        "N40.1",
        "urology",
    ),
    Case(
        "Creatinine rose from 0.9 to 2.6 mg/dL over four days in a 74 yo admitted with "
        "vomiting and poor oral intake; urine output reduced. Acute kidney injury, cause not "
        "yet determined; IV fluids and nephrotoxic drugs held.",
        "ICD10",
        "N17.9",
        "nephrology",
    ),
    Case(
        "Itchy, dry, thickened patches in the elbow and knee creases of a 5 yo with eczema "
        "since infancy and a family history of asthma and hay fever. Atopic dermatitis; "
        "emollients and a low-potency topical steroid.",
        "ICD10",
        "L20.9",
        "dermatology",
    ),
    Case(
        "Thick, yellow, crumbly nails on both big toes of a 58 yo for years. Fungal culture of "
        "nail clippings grew a dermatophyte. Onychomycosis of the toenails; oral terbinafine "
        "after baseline liver tests.",
        "ICD10",
        "B35.1",
        "dermatology",
    ),
    Case(
        "G2P1 at 39 weeks admitted in spontaneous labor. Uncomplicated vaginal delivery of a "
        "single healthy liveborn infant, intact perineum, no interventions, normal blood loss. "
        "Mother and baby well.",
        "ICD10",
        "O80",
        "obstetrics/gynecology",
    ),
    Case(
        "17 yo having trouble seeing the board at school. Refraction shows nearsightedness of "
        "-2.50 in the right eye and -2.75 in the left, correcting to 20/20 in each; eyes "
        "otherwise healthy. Myopia of both eyes; glasses prescribed.",
        "ICD10",
        "H52.13",
        "ophthalmology",
    ),
    Case(
        "10 yo who loses things, makes careless mistakes and leaves schoolwork unfinished, "
        "reported by parents and teachers for two years, without hyperactive or impulsive "
        "behavior. Rating scales support ADHD, predominantly inattentive presentation.",
        "ICD10",
        "F90.0",
        "psychiatry",
    ),
    Case(
        "Excision of a changing pigmented lesion on the back of the left upper arm in a 49 yo: "
        "invasive malignant melanoma, 0.6 mm thick, no ulceration. Wide local excision and "
        "sentinel node discussion planned.",
        "ICD10",
        "C43.62",
        "oncology",
    ),
    # ---- CPT (15) ----
    Case(
        "New patient, 26 yo, with a swollen, itchy insect-bite reaction on the forearm for a "
        "day, no fever or spreading redness. Reassured; over-the-counter hydrocortisone. "
        "Straightforward decision making; 17 minutes.",
        "CPT",
        "99202",
        "general medicine",
    ),
    Case(
        "Established patient, 30 yo, back for a recheck of a minor finger sprain that has "
        "healed. Full motion, no pain. Released to normal activity. Straightforward decision "
        "making; 12 minutes.",
        "CPT",
        "99212",
        "general medicine",
    ),
    Case(
        "Periodic preventive visit for an established 34 yo: age-appropriate history and "
        "examination, counseling on diet, exercise and contraception, immunizations reviewed "
        "and screening tests ordered. No problems addressed.",
        "CPT",
        "99395",
        "general medicine",
    ),
    Case(
        "Blood sent for a basic metabolic panel: glucose, calcium, sodium, potassium, "
        "chloride, carbon dioxide, BUN and creatinine, ordered together, to monitor a patient "
        "starting a diuretic.",
        "CPT",
        "80048",
        "nephrology",
    ),
    Case(
        "Urine dipstick read by the nurse in the office for a 30 yo with painful urination, "
        "by eye and not on an analyzer, without microscopy: leukocyte esterase and nitrite "
        "positive.",
        "CPT",
        "81002",
        "general medicine",
    ),
    Case(
        "Rapid influenza antigen test on a nasal swab, read visually in the office for a 40 yo "
        "with fever and body aches during flu season: influenza A positive.",
        "CPT",
        "87804",
        "general medicine",
    ),
    Case(
        "Pregnant patient at 28 weeks given the tetanus, diphtheria and acellular pertussis "
        "vaccine for ages 7 and older, 0.5 mL into the deltoid. This line reports the vaccine "
        "product itself.",
        "CPT",
        "90715",
        "obstetrics/gynecology",
    ),
    Case(
        "Radiographs of the left ankle after an inversion injury: anteroposterior, mortise and "
        "lateral views, three in total. No fracture, soft tissue swelling laterally.",
        "CPT",
        "73610",
        "radiology",
    ),
    Case(
        "MRI of the brain without contrast for a 45 yo whose chronic headaches changed "
        "character. Standard sequences without gadolinium: no mass, hemorrhage or "
        "hydrocephalus.",
        "CPT",
        "70551",
        "radiology",
    ),
    Case(
        "6 yo fell against a table edge: a 2 cm laceration of the chin, skin only. Cleaned and "
        "repaired with one layer of simple sutures.",
        "CPT",
        "12011",
        "emergency medicine",
    ),
    Case(
        "Nine irritated skin tags on the neck of a 55 yo removed with sterile scissors and "
        "hemostasis with aluminum chloride at one office visit.",
        "CPT",
        "11200",
        "dermatology",
    ),
    Case(
        "Impacted earwax in the left ear of a 72 yo with muffled hearing, cleared by the nurse "
        "with warm water irrigation; no instruments or suction used. Canal clear afterwards.",
        "CPT",
        "69209",
        "general medicine",
    ),
    Case(
        "Holter monitor worn for 48 hours by a 61 yo with intermittent palpitations, with "
        "scanning analysis, review and a written interpretation: sinus rhythm with rare "
        "premature ventricular beats.",
        "CPT",
        "93224",
        "cardiology",
    ),
    Case(
        "Unattended sleep study at home for a 50 yo with snoring: airflow, breathing effort, "
        "heart rate and oxygen saturation recorded overnight; interpreted by the sleep "
        "physician.",
        "CPT",
        "95806",
        "pulmonology",
    ),
    Case(
        "Physical therapy evaluation for a 22 yo with an uncomplicated ankle sprain: history "
        "without comorbidities, examination of one body region, stable presentation; "
        "low-complexity plan of care.",
        "CPT",
        "97161",
        "physical medicine and rehabilitation",
    ),
    # ---- HCPCS Level II (15) ----
    Case(
        "Ground ambulance transport for a 70 yo after a fall: 12 statute miles traveled with "
        "the patient on board. This line reports the mileage only.",
        "HCPCS",
        "A0425",
        "emergency medicine",
    ),
    Case(
        "Stage 2 pressure injury over the sacrum in a 79 yo. Supplied foam dressings with an "
        "adhesive border, pad 4 by 4 inches, one per dressing change.",
        "HCPCS",
        "A6212",
        "DME/supplies",
    ),
    Case(
        "72 yo with knee osteoarthritis who leans on furniture at home. Dispensed a single-point "
        "adjustable cane with a rubber tip, sized to the wrist crease.",
        "HCPCS",
        "E0100",
        "DME/supplies",
    ),
    Case(
        "Bedside commode chair with fixed arms delivered for an 83 yo who cannot reach the "
        "bathroom safely at night after a stroke.",
        "HCPCS",
        "E0163",
        "DME/supplies",
    ),
    Case(
        "Caregiver cannot transfer a 65 yo with paraplegia from bed to chair alone. Hydraulic "
        "patient lift with a sling seat delivered and the family trained.",
        "HCPCS",
        "E0630",
        "DME/supplies",
    ),
    Case(
        "Chronic low back pain in a 57 yo with a successful trial of nerve stimulation. "
        "Transcutaneous electrical nerve stimulator with four leads for multiple nerve "
        "stimulation supplied for home use.",
        "HCPCS",
        "E0730",
        "physical medicine and rehabilitation",
    ),
    Case(
        "Cefazolin 1 g given intravenously within an hour before skin incision as surgical "
        "prophylaxis for a hernia repair. Drug supplied by the hospital pharmacy.",
        "HCPCS",
        "J0690",
        "general surgery",
    ),
    Case(
        "Severe pain from a displaced forearm fracture in a 30 yo. Morphine sulfate 4 mg given "
        "intravenously in the emergency department before reduction.",
        "HCPCS",
        "J2270",
        "emergency medicine",
    ),
    Case(
        "Hives and itching after a new antibiotic in a 40 yo, no airway swelling. "
        "Diphenhydramine hydrochloride 25 mg given intravenously; symptoms settled within an "
        "hour.",
        "HCPCS",
        "J1200",
        "emergency medicine",
    ),
    Case(
        "Copper intrauterine contraceptive device supplied for a 29 yo who wants non-hormonal "
        "contraception. This line is for the device; the insertion is reported separately.",
        "HCPCS",
        "J7300",
        "obstetrics/gynecology",
    ),
    Case(
        "Patellar dislocation reduced in the emergency department. Canvas knee immobilizer "
        "with longitudinal stays applied straight off the shelf for a 17 yo.",
        "HCPCS",
        "L1830",
        "orthopedics",
    ),
    Case(
        "Neck strain after a low-speed car collision in a 35 yo, imaging normal. Given a soft "
        "foam cervical collar, flexible and non-adjustable, off the shelf, for short-term "
        "comfort.",
        "HCPCS",
        "L0120",
        "emergency medicine",
    ),
    Case(
        "Medicare beneficiary with BMI 33 receives face-to-face behavioral counseling for "
        "obesity from her primary care physician: 15 minutes on diet and activity goals.",
        "HCPCS",
        "G0447",
        "general medicine",
    ),
    Case(
        "Nondisplaced ankle fracture in a 45 yo. Short leg cast from below the knee to the "
        "toes made with fiberglass; this line is for the casting materials.",
        "HCPCS",
        "Q4038",
        "orthopedics",
    ),
    Case(
        "Single vision spectacle lenses, sphere power -1.75 in each eye, supplied for a 30 yo "
        "with mild myopia; one lens per eye.",
        "HCPCS",
        "V2100",
        "ophthalmology",
    ),
]

# --------------------------------------------------------------------------------------------
# Narratives 51-100: stage-2 fixture (reasoning) and stage-3 fixture (reasoning + mistake)
# --------------------------------------------------------------------------------------------
STAGE_2_3_PAIRS: list[Pair] = [
    # ---- ICD-10-CM (20) ----
    Pair(
        "Type 2 diabetes for ten years in a 61 yo. Dilated exam shows scattered dot-blot "
        "hemorrhages and microaneurysms in both eyes; the ophthalmologist documents diabetic "
        "retinopathy without grading its severity. OCT shows no macular edema.",
        "ICD10",
        "E11.319",
        "ophthalmology",
        "Retinopathy caused by diabetes is a diabetic complication, so E11.9 does not apply. "
        "The severity is not graded and no macular edema is present, which leads to E11.319.",
        "wrong_specificity",
        "ICD10",
        "E11.9",
        "The patient has type 2 diabetes and came for a diabetic eye exam. There is no macular "
        "edema, so the diabetes is coded without complications.",
    ),
    Pair(
        "Potassium 2.9 mmol/L on routine labs in a 70 yo taking hydrochlorothiazide, with leg "
        "cramps. Oral potassium chloride started, diuretic switched and labs repeated in a "
        "week.",
        "ICD10",
        "E87.6",
        "general medicine",
        "A serum potassium of 2.9 mmol/L is below normal, which is hypokalemia, E87.6. "
        "Hyperkalemia (E87.5) is a high potassium and is the opposite finding.",
        "near_miss_code",
        "ICD10",
        "E87.5",
        "The potassium level is abnormal and needs supplementation and monitoring. The "
        "potassium disorder is coded with the hyperkalemia code.",
    ),
    Pair(
        "Crushing chest pain for an hour in a 58 yo. ECG: ST elevation in leads II, III and "
        "aVF. Emergency catheterization shows an occluded right coronary artery, opened and "
        "stented.",
        "ICD10",
        "I21.11",
        "cardiology",
        "ST elevation with an occluded artery is an ST elevation myocardial infarction, coded "
        "by the artery involved. The right coronary artery is named, which gives I21.11; "
        "I21.4 is for infarctions without ST elevation.",
        "near_miss_code",
        "ICD10",
        "I21.4",
        "The patient had an acute myocardial infarction treated with a coronary stent. The "
        "acute myocardial infarction code is assigned.",
    ),
    Pair(
        "Left face and arm weakness for six hours in a 73 yo, improving but still present. MRI "
        "diffusion imaging shows a small acute infarct in the right hemisphere; the vessel and "
        "cause are not yet determined.",
        "ICD10",
        "I63.9",
        "neurology",
        "An acute infarct on MRI makes this a cerebral infarction, not a transient ischemic "
        "attack, even though symptoms are improving. The vessel and mechanism are not "
        "documented, so the code is I63.9.",
        "near_miss_code",
        "ICD10",
        "G45.9",
        "The deficits are improving and the patient is recovering function. Improving "
        "neurologic symptoms are coded as a transient ischemic attack.",
    ),
    Pair(
        "Dry cough, low fever and fatigue for two weeks in a 19 yo student. Chest X-ray shows "
        "patchy bilateral infiltrates, and a respiratory PCR panel is positive for mycoplasma "
        "pneumoniae. Treated with azithromycin.",
        "ICD10",
        "J15.7",
        "pulmonology",
        "Infiltrates with fever and cough are pneumonia, and the organism is identified by PCR. "
        "ICD-10-CM has a specific code for Mycoplasma pneumonia, J15.7, which replaces the "
        "unspecified-organism code J18.9.",
        "wrong_specificity",
        "ICD10",
        "J18.9",
        "The chest X-ray shows pneumonia and an antibiotic was started. Pneumonia is coded "
        "with the pneumonia code.",
    ),
    Pair(
        "Asthma with symptoms throughout every day and nightly waking despite high-dose inhaled "
        "steroid, a long-acting bronchodilator and a biologic; classified as severe persistent. "
        "Now three days of worse wheeze and a peak flow of 40% of best; admitted.",
        "ICD10",
        "J45.51",
        "pulmonology",
        "The documented severity is severe persistent, and the admission is for an acute "
        "exacerbation, which together give J45.51. J45.41 would be moderate persistent asthma, "
        "which does not match the classification.",
        "near_miss_code",
        "ICD10",
        "J45.41",
        "The patient has persistent asthma with an acute exacerbation requiring admission. "
        "Persistent asthma with exacerbation is coded with the moderate persistent code.",
    ),
    Pair(
        "Both knees ache with stairs and after sitting in a 67 yo, worse on the left but "
        "present on each side for years. Standing films show medial compartment loss and "
        "bone spurs in both knees; no injury or inflammatory disease.",
        "ICD10",
        "M17.0",
        "orthopedics",
        "Degenerative changes without injury or inflammatory disease are primary "
        "osteoarthritis, and both knees are affected. ICD-10-CM has a bilateral code, M17.0, "
        "so coding only one side (M17.11 or M17.12) would be incomplete.",
        "near_miss_code",
        "ICD10",
        "M17.11",
        "Radiographs show primary osteoarthritis of the knee, and the symptoms began on the "
        "right. Unilateral primary osteoarthritis of the right knee is coded.",
    ),
    Pair(
        "Fell off a bicycle onto the right shoulder, 29 yo. Deformity and tenderness over the "
        "middle of the right collarbone; X-ray shows a displaced midshaft clavicle fracture, "
        "skin intact. Sling applied at this first visit; orthopedic follow-up.",
        "ICD10",
        "S42.021A",
        "emergency medicine",
        "The X-ray locates the fracture in the shaft of the right clavicle and describes it as "
        "displaced, which gives S42.021-. It is closed and treated for the first time, so the "
        "seventh character is A. The unspecified-part code S42.001A ignores the documented "
        "site.",
        "wrong_specificity",
        "ICD10",
        "S42.001A",
        "The patient has a closed fracture of the right clavicle at the initial visit. The "
        "right clavicle fracture code with an initial-encounter seventh character is assigned.",
    ),
    Pair(
        "Right lower quadrant pain for a day in a 21 yo, fever 38.2 C and white count 14,000. "
        "CT shows a dilated, inflamed appendix with surrounding fat stranding and no "
        "perforation or abscess. Acute appendicitis; surgery consulted.",
        "ICD10",
        "K35.80",
        "general surgery",
        "CT confirms the cause of the pain, so the diagnosis is acute appendicitis rather than "
        "the symptom. No perforation, abscess or peritonitis is documented, which leads to "
        "K35.80. The pain code R10.31 is not used once the cause is established.",
        "symptom_instead_of_diagnosis",
        "ICD10",
        "R10.31",
        "The patient presents with right lower quadrant pain and fever. The right lower "
        "quadrant pain is coded as the reason for the visit.",
    ),
    Pair(
        "Constant right upper quadrant pain for two days with fever in a 48 yo. Ultrasound: "
        "gallstones, a thickened gallbladder wall and a positive sonographic sign of "
        "tenderness, common bile duct not dilated. Acute calculous cholecystitis; admitted for "
        "surgery.",
        "ICD10",
        "K80.00",
        "general surgery",
        "Gallstones with acute inflammation of the gallbladder are coded in K80.0-, calculus "
        "of gallbladder with acute cholecystitis. The bile duct is not dilated and no "
        "obstruction is described, giving K80.00. K80.20 would mean stones without "
        "cholecystitis.",
        "near_miss_code",
        "ICD10",
        "K80.20",
        "Ultrasound shows gallstones without bile duct obstruction. Calculus of the gallbladder "
        "without obstruction is coded.",
    ),
    Pair(
        "35 yo with headaches preceded by 20 minutes of zigzag lights spreading across her "
        "vision, then throbbing pain with nausea lasting several hours, twice a month. Normal "
        "exam; attacks respond to triptans. Migraine with aura, not intractable.",
        "ICD10",
        "G43.109",
        "neurology",
        "Visual symptoms that spread over minutes before the headache are a typical aura, so "
        "this is migraine with aura, G43.1-. It is not intractable and there is no status "
        "migrainosus, which gives G43.109.",
        "near_miss_code",
        "ICD10",
        "G43.009",
        "The patient has recurrent throbbing headaches with nausea that respond to triptans. "
        "Migraine that is not intractable is coded as migraine without aura.",
    ),
    Pair(
        "Chronic kidney disease with eGFR of 12 and 13 mL/min over three months in a 66 yo. "
        "Not on dialysis; fistula placed in preparation. The nephrologist documents CKD stage "
        "5 and has not documented end-stage renal disease.",
        "ICD10",
        "N18.5",
        "nephrology",
        "An eGFR below 15 is stage 5 chronic kidney disease, N18.5. End-stage renal disease "
        "(N18.6) is assigned only when the provider documents it, usually once dialysis or a "
        "transplant is needed, and here it is not documented.",
        "near_miss_code",
        "ICD10",
        "N18.6",
        "The eGFR is below 15 and the patient is preparing for dialysis. Kidney failure at "
        "this level is coded as end-stage renal disease.",
    ),
    Pair(
        "38 yo with sudden right flank pain radiating to the groin with vomiting. CT shows a "
        "5 mm stone in the distal right ureter with mild hydronephrosis; no stone remains in "
        "the kidney. Pain control and medical expulsive therapy.",
        "ICD10",
        "N20.1",
        "urology",
        "The stone is located in the ureter, not the kidney, so the code is calculus of "
        "ureter, N20.1. N20.0 is for stones in the kidney, and no kidney stone is documented.",
        "near_miss_code",
        "ICD10",
        "N20.0",
        "CT confirms a urinary stone causing flank pain and hydronephrosis. The kidney stone "
        "code is assigned.",
    ),
    Pair(
        "Red, swollen, warm right index finger for three days after a splinter in a 44 yo, "
        "no fluctuance and no tendon sheath signs. Cellulitis of the right index finger; oral "
        "antibiotics and soaks.",
        "ICD10",
        "L03.011",
        "dermatology",
        "Spreading redness and warmth without an abscess is cellulitis, coded by site in "
        "L03.01-. The right finger is documented, which gives L03.011 rather than the "
        "unspecified finger, L03.019.",
        "wrong_specificity",
        "ICD10",
        "L03.019",
        "The patient has cellulitis of a finger after a splinter. Cellulitis of the finger is "
        "coded.",
    ),
    Pair(
        "G1 at 34 weeks with new blood pressures of 146/94 and 148/96 four hours apart; normal "
        "before pregnancy. Urine protein-to-creatinine ratio normal, labs normal, no symptoms. "
        "Gestational hypertension without significant proteinuria.",
        "ICD10",
        "O13.3",
        "obstetrics/gynecology",
        "High blood pressure that starts after 20 weeks of pregnancy without proteinuria is "
        "gestational hypertension, and pregnancy-chapter codes take precedence over I10. At "
        "34 weeks she is in the third trimester, which gives O13.3.",
        "near_miss_code",
        "ICD10",
        "I10",
        "Blood pressure is elevated on two readings without proteinuria or organ damage. "
        "Hypertension without a secondary cause is coded as essential hypertension.",
    ),
    Pair(
        "2 yo with fever and pulling at the right ear. Right tympanic membrane red and "
        "bulging; left ear normal. Acute otitis media of the right ear; amoxicillin.",
        "ICD10",
        "H66.91",
        "pediatrics",
        "A red, bulging eardrum with fever is otitis media, and the note does not specify "
        "the type further. Only the right ear is affected, which gives H66.91 rather than "
        "the unspecified-ear code H66.90.",
        "missing_reasoning",
        "ICD10",
        "H66.90",
    ),
    Pair(
        "50 yo with long-standing heavy drinking and failed attempts to stop, now 12 hours "
        "after the last drink with tremor, sweating, anxiety and heart rate 112. No "
        "hallucinations, seizures or confusion. Alcohol dependence with withdrawal; "
        "symptom-triggered benzodiazepines.",
        "ICD10",
        "F10.230",
        "psychiatry",
        "Long-standing heavy use with loss of control is alcohol dependence, F10.2-. Active "
        "withdrawal is documented, so F10.20 (dependence without withdrawal) is not enough. "
        "There is no delirium, hallucination or seizure, which makes the withdrawal "
        "uncomplicated: F10.230.",
        "near_miss_code",
        "ICD10",
        "F10.20",
        "The patient has alcohol dependence with heavy drinking and failed attempts to stop. "
        "Alcohol dependence without delirium is coded as uncomplicated.",
    ),
    Pair(
        "Core biopsy of a mass in the left breast of a 61 yo woman: invasive lobular "
        "carcinoma. The quadrant is not recorded in the report or the note. Referred to "
        "surgical and medical oncology.",
        "ICD10",
        "C50.912",
        "oncology",
        "Biopsy confirms a primary breast malignancy in a female patient, coded in C50.-. The "
        "site within the breast is not documented, so the unspecified-site code applies, "
        "with laterality left: C50.912.",
        "near_miss_code",
        "ICD10",
        "C50.911",
        "Biopsy confirms breast cancer in a woman with no quadrant documented. The unspecified "
        "site code for the female breast is assigned.",
    ),
    Pair(
        "Results visit for a 45 yo with fatigue and aching bones: the 25-hydroxy vitamin D "
        "level drawn last week is 14 ng/mL. Calcium normal. Vitamin D deficiency; weekly "
        "supplementation started.",
        "ICD10",
        "E55.9",
        "general medicine",
        "The laboratory test was done at an earlier encounter; this visit reviews the result "
        "and makes the diagnosis. A low 25-hydroxy vitamin D level is vitamin D deficiency, "
        "and no specific type is documented, giving E55.9.",
        "wrong_code_type",
        "CPT",
        "82306",
        "The note centers on the vitamin D result of 14 ng/mL. The vitamin D, 25-hydroxy "
        "laboratory test is coded.",
    ),
    Pair(
        "Sore throat and low fever for three days in a 27 yo with mild cough. Rapid strep "
        "test negative and the back-up throat culture negative. Acute pharyngitis, probably "
        "viral; symptomatic care.",
        "ICD10",
        "J02.9",
        "general medicine",
        "The diagnosis is acute pharyngitis, and both the rapid test and the culture are "
        "negative for streptococcus. No organism is identified, so the code is J02.9 and "
        "not J02.0.",
        "missing_reasoning",
        "ICD10",
        "J02.0",
    ),
    # ---- CPT (15) ----
    Pair(
        "Established patient, 74 yo with heart failure, with a 4 kg weight gain and "
        "breathlessness at rest over three days. Reviewed labs and an ECG, discussed with "
        "cardiology and decided to admit to hospital. High-complexity decision making; 45 "
        "minutes.",
        "CPT",
        "99215",
        "cardiology",
        "A chronic illness with a severe exacerbation and a decision regarding "
        "hospitalization meet high-complexity medical decision making. For an established "
        "patient that is level 5, 99215; 99214 requires only moderate complexity.",
        "near_miss_code",
        "CPT",
        "99214",
        "The patient is an established patient with a chronic illness that has worsened, "
        "seen for 45 minutes. A chronic illness with exacerbation is a moderate-complexity "
        "established visit.",
    ),
    Pair(
        "ED visit for a 25 yo who rolled an ankle playing volleyball. Ankle X-ray ordered and "
        "reviewed: no fracture. Brace, ice and over-the-counter analgesics. Medical decision "
        "making of low complexity.",
        "CPT",
        "99283",
        "emergency medicine",
        "An acute uncomplicated injury with one test ordered and over-the-counter treatment is "
        "low-complexity decision making. In the emergency department, low complexity is "
        "99283; 99284 requires moderate complexity.",
        "near_miss_code",
        "CPT",
        "99284",
        "An emergency department visit for an injury needed an X-ray. Ordering imaging in "
        "the emergency department supports a moderate-complexity visit.",
    ),
    Pair(
        "Laparoscopic cholecystectomy in a 50 yo with gallstones and a mildly dilated bile "
        "duct. Cystic duct cannulated and an intraoperative cholangiogram obtained, showing no "
        "duct stones; gallbladder removed.",
        "CPT",
        "47563",
        "general surgery",
        "The gallbladder was removed laparoscopically and a cholangiogram was performed during "
        "the operation. CPT has a separate code for laparoscopic cholecystectomy with "
        "cholangiography, 47563, so 47562 (without) is not correct.",
        "near_miss_code",
        "CPT",
        "47562",
        "A laparoscopic cholecystectomy was performed for gallstones. The laparoscopic "
        "cholecystectomy code is assigned.",
    ),
    Pair(
        "Right total knee arthroplasty for end-stage primary osteoarthritis in a 68 yo: "
        "femoral, tibial and patellar components cemented through a medial parapatellar "
        "approach. No complications.",
        "CPT",
        "27447",
        "orthopedics",
        "The narrative is an operative report for a total knee replacement, which is CPT "
        "27447. The osteoarthritis is the indication, coded separately as a diagnosis, but the "
        "procedure needs a CPT code.",
        "wrong_code_type",
        "ICD10",
        "M17.11",
        "The patient has end-stage primary osteoarthritis of the right knee. The right knee "
        "osteoarthritis is coded.",
    ),
    Pair(
        "Open carpal tunnel release on the left hand of a 52 yo: a small palmar incision, the "
        "transverse carpal ligament divided under direct vision, median nerve decompressed. "
        "No endoscope used.",
        "CPT",
        "64721",
        "orthopedics",
        "Dividing the transverse carpal ligament through an open incision is neuroplasty of "
        "the median nerve at the carpal tunnel, CPT 64721. The endoscopic release code, "
        "29848, applies only when an endoscope is used.",
        "near_miss_code",
        "CPT",
        "29848",
        "A carpal tunnel release was performed on the left hand. Carpal tunnel release is "
        "reported with the carpal tunnel release code.",
    ),
    Pair(
        "The same practice provided all prenatal visits, a planned cesarean delivery at 39 "
        "weeks for breech presentation and the postpartum visit for a 31 yo. Mother and baby "
        "well.",
        "CPT",
        "59510",
        "obstetrics/gynecology",
        "Global obstetric care including prenatal care, delivery and postpartum care is billed "
        "with one global code. The delivery was by cesarean, so the code is 59510; 59400 is "
        "the global package for a vaginal delivery.",
        "near_miss_code",
        "CPT",
        "59400",
        "The practice provided the complete obstetric package of prenatal care, delivery and "
        "postpartum care. Routine global obstetric care is reported.",
    ),
    Pair(
        "Intrauterine device inserted for a 26 yo after a negative pregnancy test: uterus "
        "sounded to 7 cm and a levonorgestrel device placed, strings trimmed. The device itself "
        "is billed separately; code the insertion.",
        "CPT",
        "58300",
        "obstetrics/gynecology",
        "The service to code is the insertion procedure, which is CPT 58300. The "
        "levonorgestrel device is a supply reported with its own HCPCS code, and the "
        "narrative says it is billed separately.",
        "wrong_code_type",
        "HCPCS",
        "J7298",
        "A levonorgestrel intrauterine device was placed. The levonorgestrel-releasing "
        "intrauterine system is coded.",
    ),
    Pair(
        "New patient, 58 yo, never seen by this eye practice, for a comprehensive eye "
        "examination: history, acuity, pupils, motility, pressures, slit lamp and dilated "
        "fundus exam of both eyes, with a treatment plan for early cataracts.",
        "CPT",
        "92004",
        "ophthalmology",
        "A comprehensive ophthalmological examination is coded 92004 for a new patient and "
        "92014 for an established one. The patient has never been seen by the practice, so "
        "92004 applies.",
        "near_miss_code",
        "CPT",
        "92014",
        "A comprehensive eye examination with a dilated fundus exam was performed. The "
        "comprehensive eye examination code for an established patient is assigned.",
    ),
    Pair(
        "Initial psychiatric evaluation by a psychiatrist for a 35 yo with depressed mood: "
        "full psychiatric history and mental status exam, review of medical conditions and "
        "labs, and an antidepressant prescribed.",
        "CPT",
        "90792",
        "psychiatry",
        "A psychiatric diagnostic evaluation that includes medical services, such as "
        "reviewing medical conditions and prescribing, is 90792. 90791 is the evaluation "
        "without medical services, typical of a psychologist or therapist.",
        "near_miss_code",
        "CPT",
        "90791",
        "An initial psychiatric diagnostic evaluation with history and mental status exam was "
        "completed. The psychiatric diagnostic evaluation code is assigned.",
    ),
    Pair(
        "Split-night sleep study in the laboratory for a 49 yo: diagnostic polysomnography for "
        "the first half showed an AHI of 41, then CPAP was titrated to 11 cm H2O for the rest "
        "of the night, with a technologist attending.",
        "CPT",
        "95811",
        "pulmonology",
        "An attended polysomnogram that includes CPAP titration is 95811, which also covers a "
        "split-night study. 95810 is polysomnography without titration.",
        "near_miss_code",
        "CPT",
        "95810",
        "A technologist attended an overnight polysomnogram that found an AHI of 41. The "
        "attended overnight sleep study code is reported.",
    ),
    Pair(
        "Suspected kidney stone in a 42 yo with flank pain and blood in the urine. CT of the "
        "abdomen and pelvis performed without intravenous or oral contrast: 4 mm stone at the "
        "right ureterovesical junction.",
        "CPT",
        "74176",
        "radiology",
        "CT of the abdomen and pelvis together is one combined code, chosen by contrast use. "
        "No contrast was given, so the code is 74176; 74177 is with contrast and 74178 "
        "without and then with contrast.",
        "near_miss_code",
        "CPT",
        "74177",
        "A CT of the abdomen and pelvis was done for a kidney stone. The standard CT of the "
        "abdomen and pelvis is reported.",
    ),
    Pair(
        "Colonoscopy to the cecum for rectal bleeding in a 47 yo. Small internal hemorrhoids, "
        "otherwise normal colon. No biopsies, no polyps removed, no other intervention.",
        "CPT",
        "45378",
        "gastroenterology",
        "A colonoscopy with no biopsy, removal or other intervention is diagnostic, CPT 45378. "
        "The biopsy code 45380 requires tissue to be sampled, which did not happen.",
        "missing_reasoning",
        "CPT",
        "45380",
    ),
    Pair(
        "Thick, dystrophic, painful toenails in a 78 yo with peripheral arterial disease. "
        "Eight nails debrided with nippers and a rotary burr to reduce thickness.",
        "CPT",
        "11721",
        "podiatry",
        "Nail debridement is coded by the number of nails: 11720 for one to five and 11721 for "
        "six or more. Eight nails were debrided, so the code is 11721.",
        "near_miss_code",
        "CPT",
        "11720",
        "Toenails were debrided to reduce their thickness. Debridement of nails is reported "
        "with the nail debridement code.",
    ),
    Pair(
        "Bone density scan by dual-energy X-ray absorptiometry of the lumbar spine and hip for "
        "a 66 yo woman: T-score -2.7 at the femoral neck. Report sent to her physician.",
        "CPT",
        "77080",
        "radiology",
        "The narrative describes the test performed, a DXA bone density study of the axial "
        "skeleton (spine and hip), which is CPT 77080. The T-score shows osteoporosis, but "
        "that diagnosis is not the service being coded.",
        "wrong_code_type",
        "ICD10",
        "M81.0",
        "The T-score of -2.7 at the femoral neck shows osteoporosis in a postmenopausal "
        "woman. Age-related osteoporosis is coded.",
    ),
    Pair(
        "Nurse gives an intramuscular injection of ceftriaxone into the gluteal muscle of a "
        "33 yo. The drug is billed separately; code only the injection service.",
        "CPT",
        "96372",
        "general medicine",
        "The service being coded is giving a therapeutic intramuscular injection, CPT 96372. "
        "The ceftriaxone itself would be HCPCS J0696, but the narrative states that the drug "
        "is reported separately.",
        "wrong_code_type",
        "HCPCS",
        "J0696",
        "Ceftriaxone was injected intramuscularly. The ceftriaxone injection code is assigned.",
    ),
    # ---- HCPCS Level II (15) ----
    Pair(
        "Hospitalized 80 yo with pneumonia receives heparin sodium 5000 units subcutaneously for venous "
        "thromboembolism prophylaxis; this line reports the drug supplied.",
        "HCPCS",
        "J1644",
        "general medicine",
        "Therapeutic or prophylactic heparin is J1644, per 1000 units, so 5000 units are five "
        "units. J1642 is heparin lock flush, used to keep lines open, which this is not.",
        "near_miss_code",
        "HCPCS",
        "J1642",
        "Heparin sodium was given by injection. The heparin sodium injection code is "
        "assigned with units for the dose.",
    ),
    Pair(
        "Anaphylaxis with lip swelling and wheeze after a bee sting in a 22 yo. Epinephrine "
        "0.3 mg given intramuscularly into the thigh; the drug is the item being reported.",
        "HCPCS",
        "J0171",
        "emergency medicine",
        "The narrative asks for the drug supplied, which is coded with HCPCS Level II. "
        "Epinephrine is J0171 per 0.1 mg, so 0.3 mg is three units. The injection service "
        "would be a separate CPT code.",
        "wrong_code_type",
        "CPT",
        "96372",
        "Epinephrine was given by intramuscular injection for anaphylaxis. An intramuscular "
        "injection is coded with the therapeutic injection code.",
    ),
    Pair(
        "Home nebulizer supply for a 70 yo with COPD: premixed vials each containing albuterol "
        "2.5 mg and ipratropium 0.5 mg in one unit dose, four times a day.",
        "HCPCS",
        "J7620",
        "DME/supplies",
        "Each vial combines albuterol and ipratropium in a unit dose, which HCPCS reports as "
        "J7620. J7613 is albuterol alone and would miss the ipratropium.",
        "near_miss_code",
        "HCPCS",
        "J7613",
        "Albuterol unit-dose inhalation solution was supplied for a home nebulizer. The "
        "albuterol unit dose code is assigned.",
    ),
    Pair(
        "Portable oxygen concentrator rented for a 69 yo with pulmonary fibrosis who "
        "desaturates with walking and wants to travel; battery-powered unit that she can "
        "carry.",
        "HCPCS",
        "E1392",
        "pulmonology",
        "A battery-powered concentrator carried by the patient is a portable oxygen "
        "concentrator, rental, E1392. E1390 is the stationary home concentrator.",
        "near_miss_code",
        "HCPCS",
        "E1390",
        "An oxygen concentrator was rented for home oxygen therapy. The oxygen concentrator "
        "code is assigned.",
    ),
    Pair(
        "CPAP user with a full face mask that leaks at the mouth seal switches to a nasal mask "
        "with head strap that covers the nose only.",
        "HCPCS",
        "A7034",
        "DME/supplies",
        "The new interface covers the nose only, which is a nasal interface, A7034. A7030 is "
        "the full face mask covering nose and mouth, which is the mask being replaced.",
        "near_miss_code",
        "HCPCS",
        "A7030",
        "A replacement CPAP mask was supplied to a patient who had a full face mask. The full "
        "face mask code is assigned.",
    ),
    Pair(
        "Type 1 diabetes using a therapeutic continuous glucose monitor. The dedicated "
        "handheld receiver broke and was replaced; sensors are not part of this order.",
        "HCPCS",
        "K0554",
        "endocrinology",
        "The item is the receiver dedicated to a therapeutic CGM, K0554. The monthly supply "
        "allowance for sensors and accessories (K0553) does not include the receiver and was "
        "not ordered.",
        "near_miss_code",
        "HCPCS",
        "K0553",
        "Equipment for a continuous glucose monitor was supplied. The continuous glucose "
        "monitor supply allowance code is assigned.",
    ),
    Pair(
        "Medial collateral ligament sprain of the knee in a 30 yo. Hinged knee brace with "
        "adjustable joints and rigid support, prefabricated and supplied off the shelf.",
        "HCPCS",
        "L1833",
        "sports medicine",
        "An off-the-shelf knee orthosis with adjustable joints and rigid support is L1833. "
        "L1830 is a canvas knee immobilizer without joints, which does not match a hinged "
        "brace.",
        "near_miss_code",
        "HCPCS",
        "L1830",
        "A prefabricated knee brace was supplied off the shelf for a knee sprain. The "
        "off-the-shelf knee orthosis code is assigned.",
    ),
    Pair(
        "Poor balance after a stroke in a 76 yo who needs a wide base of support. Dispensed a "
        "quad cane with four tips, adjustable height.",
        "HCPCS",
        "E0105",
        "physical medicine and rehabilitation",
        "A cane with four tips is a quad cane, E0105. E0100 is a standard single-tip cane.",
        "near_miss_code",
        "HCPCS",
        "E0100",
        "An adjustable cane with tips was dispensed for balance. The adjustable cane code is "
        "assigned.",
    ),
    Pair(
        "Medicare beneficiary, 68 yo man without urinary symptoms, has his yearly prostate "
        "cancer screening by PSA blood test; no prior prostate cancer and no abnormal "
        "findings.",
        "HCPCS",
        "G0103",
        "urology",
        "Medicare screening PSA tests are reported with HCPCS G0103 instead of the CPT "
        "laboratory code 84153, which is used for diagnostic PSA testing and other payers. "
        "The patient has no symptoms, so this is screening.",
        "wrong_code_type",
        "CPT",
        "84153",
        "A total PSA level was measured. The prostate specific antigen laboratory code is "
        "assigned.",
    ),
    Pair(
        "Positive annual alcohol misuse screen in a 60 yo Medicare patient, followed the same "
        "day by 15 minutes of face-to-face brief behavioral counseling on cutting down.",
        "HCPCS",
        "G0443",
        "general medicine",
        "The service described is the brief face-to-face counseling after a positive screen, "
        "G0443. The screening itself is G0442 and would be a separate line.",
        "near_miss_code",
        "HCPCS",
        "G0442",
        "The patient screened positive for alcohol misuse on the annual screen. The annual "
        "alcohol misuse screening code is assigned.",
    ),
    Pair(
        "Migraine attack with vomiting in a 33 yo, unable to take oral medicine. Sumatriptan "
        "succinate 6 mg injected subcutaneously in the clinic; relief within an hour.",
        "HCPCS",
        "J3030",
        "neurology",
        "The drug given is injectable sumatriptan, J3030 per 6 mg, so one unit. No other drug "
        "was given.",
        "missing_reasoning",
        "HCPCS",
        "J1885",
    ),
    Pair(
        "Endometriosis with pelvic pain in a 34 yo. Leuprolide acetate depot 3.75 mg injected "
        "intramuscularly for monthly suppression; drug from clinic stock.",
        "HCPCS",
        "J1950",
        "obstetrics/gynecology",
        "Leuprolide acetate depot is coded by dose: J1950 per 3.75 mg and J9217 per 7.5 mg, "
        "the latter used for prostate cancer. A 3.75 mg dose is one unit of J1950.",
        "near_miss_code",
        "HCPCS",
        "J9217",
        "Leuprolide acetate depot was injected. The leuprolide acetate depot suspension code "
        "is assigned.",
    ),
    Pair(
        "Diabetic neuropathy with a healed toe ulcer in a 64 yo. Dispensed a pair of "
        "off-the-shelf extra-depth shoes with inserts; this line is for the shoes themselves.",
        "HCPCS",
        "A5500",
        "podiatry",
        "Off-the-shelf depth-inlay diabetic shoes are A5500, one per shoe. The inserts are "
        "separate items (A5512 or A5513) and the narrative asks for the shoes.",
        "near_miss_code",
        "HCPCS",
        "A5512",
        "Diabetic footwear with inserts was dispensed for neuropathy. The diabetic shoe "
        "insert code is assigned.",
    ),
    Pair(
        "Type 1 diabetes with frequent lows on injections in a 29 yo. An external ambulatory "
        "insulin infusion pump was supplied and programmed with basal rates.",
        "HCPCS",
        "E0784",
        "endocrinology",
        "The item supplied is the external insulin infusion pump itself, E0784. Insulin for "
        "the pump (J1817) and infusion sets are separate supplies.",
        "missing_reasoning",
        "HCPCS",
        "J1817",
    ),
    Pair(
        "Breast prosthesis needed after a left mastectomy in a 56 yo: a silicone breast form "
        "without adhesive, fitted by a certified fitter.",
        "HCPCS",
        "L8030",
        "oncology",
        "The item is an external silicone breast prosthesis without integral adhesive, L8030. "
        "L8020 is a mastectomy form that is not silicone, and L8000 is a mastectomy bra.",
        "near_miss_code",
        "HCPCS",
        "L8020",
        "A breast prosthesis was fitted after mastectomy. The mastectomy breast form code is "
        "assigned.",
    ),
]


def narrative_records(cases: list[Case | Pair], validator: CodeValidator) -> list[dict]:
    """The seed-schema list for ``sample_narratives.json`` (ids ``n-001`` ... in table order)."""
    return [
        {
            "id": f"n-{index:03d}",
            "narrative": row.narrative,
            "code_type": row.code_type,
            "code": row.code,
            "description": describe(validator, row.code_type, row.code),
            "specialty": row.specialty,
        }
        for index, row in enumerate(cases, start=1)
    ]


def stage_2_records(pairs: list[Pair], validator: CodeValidator) -> list[dict]:
    """Stage-2 records (reasoning + answer) with ids ``fx2-NNN``."""
    records = []
    for index, pair in enumerate(interleave(pairs), start=1):
        metadata = {"code_type": pair.code_type, "specialty": pair.specialty, "source": "synthetic"}
        description = describe(validator, pair.code_type, pair.code)
        record = build_stage_2_example(
            pair.narrative,
            pair.reasoning,
            pair.code_type,
            pair.code,
            description,
            metadata=metadata,
        )
        records.append({"id": f"fx2-{index:03d}", **record})
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output-dir", type=Path, default=FIXTURES_DIR)
    parser.add_argument(
        "--examples-dir",
        type=Path,
        default=EXAMPLES_DIR,
        help="shipped examples the fixtures must not overlap",
    )
    args = parser.parse_args(argv)

    check_rows("stage-1 fixture", STAGE_1_CASES, HALF_COUNTS)
    check_rows("stage-2/3 fixture", STAGE_2_3_PAIRS, HALF_COUNTS)
    all_rows: list[Case | Pair] = [*STAGE_1_CASES, *STAGE_2_3_PAIRS]
    shipped = [args.examples_dir / f"sample_stage_{n}.jsonl" for n in (1, 2, 3)]
    shipped.append(args.examples_dir / "test.jsonl")
    shipped_narratives, _ = load_training(shipped)
    report_overlaps(
        find_overlaps([row.narrative for row in all_rows], shipped_narratives), "fixture"
    )

    validator = CodeValidator()
    narratives = narrative_records(all_rows, validator)
    stage_1 = build_case_records(STAGE_1_CASES, validator, "fx1")
    stage_2 = stage_2_records(STAGE_2_3_PAIRS, validator)
    stage_3 = build_pair_records(STAGE_2_3_PAIRS, validator, "fx3")
    for records, stage in ((stage_1, 1), (stage_2, 2), (stage_3, 3)):
        check_records(records, stage)

    narratives_path = args.output_dir / "sample_narratives.json"
    status = 0
    if args.check:
        expected = json.dumps(narratives, indent=2, ensure_ascii=False) + "\n"
        if not narratives_path.exists() or narratives_path.read_text("utf-8") != expected:
            print(f"out of date (run without --check): {narratives_path}", file=sys.stderr)
            status = 1
    else:
        write_json(narratives_path, narratives)
        print(f"wrote {len(narratives)} narratives to {narratives_path}")
    outputs = {
        args.output_dir / "sample_stage_1.jsonl": stage_1,
        args.output_dir / "sample_stage_2.jsonl": stage_2,
        args.output_dir / "sample_stage_3.jsonl": stage_3,
    }
    return write_or_compare(outputs, args.check) or status


if __name__ == "__main__":
    raise SystemExit(main())
