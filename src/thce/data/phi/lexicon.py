"""Word lists the PHI recognizers consult.

None of these lists removes or keeps text on its own. They feed *contextual* rules:

- ``EPONYM_HEADS``: a capitalised word directly before one of these nouns ("Wilson disease",
  "Lachman test", "Baker's cyst") is medical vocabulary, not a person or a place.
- ``KNOWN_EPONYMS``: surnames that are also disease names. A *bare, single-word* NER hit on
  one of them ("history of Parkinson's") is kept as medical text, but any real evidence of a
  person ("Mr. Wilson", "Maria Wilson", "daughter Wilson") still wins. There is deliberately no
  global allow-list: "Wilson" is removed when it names someone.
- ``COMMON_CAPITALIZED``, ``MEDICAL_ABBREVIATIONS``, ``DRUG_NAMES``: words that spaCy's small
  English model often tags as PERSON/GPE in clinical text (section headers, abbreviations,
  brand names). Only NER-only hits are vetoed by them; titles and cues are not.
"""

from __future__ import annotations

import re


def _words(block: str) -> list[str]:
    """Split a whitespace-separated word block (keeps long lists readable)."""
    return block.split()


def _names(block: str) -> list[str]:
    """Split a comma-separated block of (possibly multi-word) names."""
    return [" ".join(name.split()) for name in block.split(",") if name.strip()]


# Nouns that turn a preceding capitalised word into an eponym ("Graves disease").
EPONYM_HEADS: frozenset[str] = frozenset(
    _words(
        """
    disease diseases syndrome syndromes disorder sign signs test tests maneuver manoeuvre
    lymphoma sarcoma tumor tumour carcinoma palsy fracture fractures esophagus oesophagus
    thyroiditis phenomenon reflex reflexes score scores scale criteria classification class
    stage staging procedure operation repair fundoplication catheter tube monitor stain smear
    cyst cysts node nodes nodules nodule point triad ulcer anemia anaemia angina aneurysm hernia
    contracture neuroma neuralgia encephalopathy encephalitis dementia chorea ataxia dystrophy
    virus fever deformity injury lesion block cell cells body bodies protein proteins wire pin
    bandage inventory index questionnaire equation formula rule method technique approach
    incision position gait respirations respiration breathing murmur sound sounds gallop space
    pouch canal duct gland glands layer membrane tendon ligament nerve area fossa line lines
    zone rings ring spots spot patches sarcoidosis anomaly malformation macroglobulinemia drain
    shunt needle forceps retractor solution agar medium mask valve bag splint brace cast
    traction plexus artery vein loop bypass osteotomy arthroplasty criterion mnemonic tetralogy
    effect ileus diverticulum diverticulitis esotropia cirrhosis ophthalmopathy orbitopathy
    neuropathy myopathy arthritis vasculitis anastomosis dilator bougie sheath gown pump
    hypothesis law collar stockings boot boots tear tears lesions nevus nevi papules keratosis
    grade grades grading rules definition definitions guideline guidelines protocol category
    antigen antigens variant variants chart trocar sealer stapler adl adls strict
    """
    )
)

# Surnames that are also stand-alone disease or test names ("Parkinson's", "Babinski").
KNOWN_EPONYMS: frozenset[str] = frozenset(
    _words(
        """
    Addison Adie Alport Alzheimer Apgar Asperger Babinski Baker Barrett Barré Barre Bartholin
    Becker Behcet Behçet Bell Bence Blalock Bouchard Braden Brudzinski Brugada Buerger Burkitt
    Castleman Chagas Charcot Cheyne Chiari Colles Conn Coombs Crohn Cushing Dandy DiGeorge Dix
    Doppler Down Duchenne Dupuytren Ebstein Ehlers Danlos Epley Epstein Barr Ewing Fabry Fallot
    Fanconi Finkelstein Foley Gaucher Gehrig Gilbert Glasgow Gleason Goodpasture Graves Guillain
    Hallpike Hashimoto Heberden Heimlich Hickman Hirschsprung Hodgkin Holter Homan Homans Horner
    Huntington Kaposi Kawasaki Kayser Fleischer Kernig Klinefelter Korotkoff Korsakoff Kussmaul
    Lachman Lennox Gastaut Lisfranc Lofgren Löfgren Lyme Mallampati Marfan McBurney McMurray
    Meckel Meniere Ménière Mohs Murphy Nissen Osgood Schlatter Paget Pancoast Pap Papanicolaou
    Parkinson Peyronie Phalen Pompe Raynaud Reiter Reye Rinne Romberg Roux Sjogren Sjögren
    Snellen Stokes Swan Ganz Tanner Tay Sachs Tinel Tourette Trendelenburg Turner Valsalva
    Virchow Waldenström Waldenstrom Weber Wegener Wenckebach Wernicke Whipple Willebrand Wilms
    Wilson Wolff Zenker Zollinger Ellison Hallux Kienbock Perthes Legg Scheuermann Still Sezary
    Sézary Ortolani Barlow Galeazzi Allis Thompson Simmonds Hoffmann Hoffman Spurling Lhermitte
    Adson Neer Hawkins Yergason Apley Thessaly Ober FABER Gaenslen Patrick Durkan Froment
    Kanavel Chvostek Trousseau Rovsing Psoas Obturator Cullen Courvoisier Kehr Grey Nikolsky
    Auspitz Koebner Darier Gottron Janeway Osler Roth Quincke Musset Duroziez Traube Corrigan
    Kussmaul Beck Virchow Lynch Marfan Charcot Lewy Pick Binswanger Wernicke Broca Horner Argyll
    Adie Erb Klumpke Volkmann Monteggia Maisonneuve Bennett Rolando Salter Harris Segond Bankart
    Hill-Sachs Kienböck Morton Haglund Sever Pilonidal Bartholin Skene Nabothian Naegele Braxton
    Hicks Leopold Bishop Ballard Moro Kernig Gower Gowers Cheyne-Stokes Mobitz Prinzmetal
    Dressler Takotsubo Kerley Brugada Wenckebach Eisenmenger Fontan Glenn Norwood
    """
    )
)

# Multi-word medical names containing capitalised non-eponym words (places, people).
PROTECTED_PHRASES: tuple[str, ...] = (
    "Rocky Mountain spotted fever",
    "West Nile",
    "New York Heart Association",
    "Glasgow Coma Scale",
    "Glasgow Outcome Scale",
    "Lou Gehrig",
    "Bence Jones",
    "Sister Mary Joseph",
    "Grey Turner",
    "Austin Flint",
    "Argyll Robertson",
    "Marcus Gunn",
    "Ramsay Hunt",
    "Mini-Cog",
    "Mini-Mental",
    "Montreal Cognitive Assessment",
    "Beck Depression Inventory",
    "Richmond Agitation",
    "Hamilton Depression",
    "Child-Pugh",
    "Roux-en-Y",
    "Port-a-Cath",
    "Jackson-Pratt",
    "Swan-Ganz",
    "Stevens-Johnson",
    "Guillain-Barré",
    "Guillain-Barre",
    "Epstein-Barr",
    "Creutzfeldt-Jakob",
    "Lambert-Eaton",
    "Prader-Willi",
    "Wolff-Parkinson-White",
    "Osgood-Schlatter",
    "Legg-Calve-Perthes",
    "Charcot-Marie-Tooth",
    "Kayser-Fleischer",
    "Henoch-Schönlein",
    "Henoch-Schonlein",
    "Dix-Hallpike",
    "Bristol Stool",
    "Ann Arbor staging",
    "Duke Treadmill",
    "Coxsackie",
    "Norwalk",
    "Marburg",
    "Ebola",
    "Lassa",
    "Zika",
    "Hantaan",
    "Spanish flu",
    "Hong Kong flu",
    "Timed Up and Go",
    "Get Up and Go",
    "Mini Nutritional Assessment",
    "Morse Fall",
    "Confusion Assessment Method",
    "Clinical Frailty",
)

# Titles that introduce a person's name.
TITLES: tuple[str, ...] = (
    "Dr", "Doctor", "Mr", "Mrs", "Ms", "Mx", "Miss", "Prof", "Professor", "Rev", "Reverend",
    "Rabbi", "Imam", "Capt", "Sgt", "Nurse", "Officer", "Chaplain", "Deputy", "Detective", "Det",
    "Lt", "Cpl", "Judge", "Pastor",
)  # fmt: skip

# Professional credentials written after a clinician's name ("Kim Lee, MD").
CREDENTIALS: tuple[str, ...] = (
    "MD", "DO", "RN", "NP", "PA-C", "PA", "PhD", "DDS", "DMD", "DPM", "LPN", "CNP", "APRN",
    "FNP", "FNP-C", "CRNA", "PharmD", "DNP", "MSW", "LCSW", "DPT", "CNM", "RD", "MBBS", "FACP",
    "FACC", "FACS", "OD", "AuD", "CCC-A", "CCC-SLP", "SLP", "OTR/L", "OTR", "COTA", "PTA", "MPT",
    "ATC", "RRT", "CNA", "LVN", "BSN", "MSN", "CRNP", "PMHNP", "PMHNP-BC", "AGNP", "AGACNP",
    "ACNP", "ANP", "NNP", "PNP", "CPNP", "FNP-BC", "NP-C", "MPH", "RDN", "CDE", "CDCES", "IBCLC",
    "LPC", "LMFT", "LICSW", "LMSW", "PsyD", "EdD", "RPh", "BCPS", "CPhT", "EMT-P", "NRP", "CCRN",
    "CEN", "MBChB", "FRCP", "FRCS", "FAAP", "FACOG", "FACEP", "FCCP", "LAc", "LMT", "CHW", "CCLS",
    "CCDS", "CEPS", "RVT", "RDMS", "RDCS", "CNMT", "CPFT", "DrPH", "ScD", "PGY-1", "PGY-2", "PGY-3",
)  # fmt: skip

# Family and social relations that introduce a name ("daughter Maria").
RELATIONS: tuple[str, ...] = (
    "wife", "husband", "spouse", "partner", "daughter", "son", "mother", "father", "mom", "dad",
    "sister", "brother", "friend", "caregiver", "guardian", "niece", "nephew", "aunt", "uncle",
    "grandson", "granddaughter", "grandmother", "grandfather", "fiancé", "fiancée", "fiance",
    "neighbor", "neighbour", "roommate", "boyfriend", "girlfriend", "stepson", "stepdaughter",
    "proxy", "officer", "interpreter", "coworker", "employer", "landlord", "pastor", "sponsor",
    "daughter-in-law", "son-in-law", "mother-in-law", "father-in-law", "sister-in-law",
    "brother-in-law", "stepmother", "stepfather", "grandchild", "companion", "ex-wife",
    "ex-husband",
)  # fmt: skip

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands",
}  # fmt: skip

# Geographic names at state level or above: Safe Harbor allows them to stay.
LARGE_REGIONS: frozenset[str] = frozenset(
    [
        *US_STATES.values(),
        *_names(
            """
    US, U.S., USA, U.S.A., America, United States, the United States, Canada, Mexico, Brazil,
    Argentina, Chile, Peru, Colombia, Venezuela, Cuba, Haiti, Jamaica, Guatemala, Honduras,
    Nicaragua, El Salvador, Dominican Republic, UK, U.K., England, Scotland, Wales, Ireland,
    Britain, Great Britain, France, Germany, Spain, Portugal, Italy, Greece, Poland, Ukraine,
    Russia, Sweden, Norway, Finland, Denmark, Netherlands, Belgium, Switzerland, Austria,
    Hungary, Romania, Turkey, Israel, Egypt, Nigeria, Ghana, Kenya, Ethiopia, Somalia, Sudan,
    South Africa, Morocco, Iran, Iraq, Syria, Lebanon, Jordan, Saudi Arabia, Afghanistan,
    Pakistan, India, Bangladesh, Nepal, Sri Lanka, China, Japan, Korea, South Korea, North
    Korea, Vietnam, Thailand, Cambodia, Laos, Philippines, Indonesia, Malaysia, Singapore,
    Australia, New Zealand, Africa, Asia, Europe, South America, North America, Central America,
    Latin America, Caribbean, Middle East, Midwest, New England, Pacific Northwest, West Coast,
    East Coast, the Midwest, the South, the Northeast
    """
        ),
    ]
)

MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

# Capitalised words of clinical notes that spaCy's small model mistakes for names or places.
COMMON_CAPITALIZED: frozenset[str] = frozenset(
    w.lower()
    for w in _words(
        """
    Patient Pt Patients Name Mother Father Wife Husband Daughter Son Sister Brother Family
    Friend Denies Reports Presents Presented Complains States Notes Noted Lungs Heart Abdomen
    Extremities Neuro Neurologic Skin Psych HEENT Head Eyes Ears Nose Throat Neck Chest Back
    Spine Pelvis Assessment Plan Impression History Exam Examination Labs Lab Vitals Vital
    Allergies Meds Medications Medication Social Surgical Medical Diagnosis Diagnoses Procedure
    Procedures Indication Indications Findings Finding Result Results Chief Complaint Subjective
    Objective Follow Followup Follow-up Return Returns Continue Continued Start Started Stop
    Stopped Increase Increased Decrease Decreased Discussed Reviewed Ordered Negative Positive
    Normal Abnormal Pending Stable Unstable Improved Worsening Mild Moderate Severe Acute
    Chronic Left Right Bilateral Upper Lower Anterior Posterior Type Stage Grade Class Level
    Note Notes Summary Discharge Admission Admitted Consult Consultation Referral Referred Visit
    Telehealth Office Clinic Hospital Emergency Department Unit Floor Room Bed Home Health Care
    Nursing Hospice Rehab Rehabilitation Cardiology Pulmonology Neurology Oncology Hematology
    Endocrinology Gastroenterology Nephrology Urology Orthopedics Ortho Rheumatology Dermatology
    Psychiatry Psychology Pediatrics Obstetrics Gynecology Radiology Pathology Surgery
    Anesthesia Medicine Internal Primary Family Infectious Disease Critical Palliative
    Geriatrics Ophthalmology Otolaryngology ENT Podiatry Physical Occupational Speech Therapy
    Therapist Nurse Nursing Physician Provider Attending Resident Fellow Intern Surgeon Doctor
    Staff Team Service Services Blood Urine Serum Plasma Culture Cultures Imaging Echo
    Echocardiogram Ultrasound Xray X-ray Scan Biopsy Pathology Insulin Vitamin Iron Calcium
    Potassium Sodium Magnesium Oxygen Tylenol Aspirin No None Yes Today Yesterday Tomorrow
    Tonight Morning Evening Night Monday Tuesday Wednesday Thursday Friday Saturday Sunday Daily
    Weekly Monthly Annual Annually Status Post Prior Previous Current New Old Recent Since Pain
    Fever Cough Nausea Vomiting Diarrhea Constipation Fatigue Weakness Dyspnea Edema Rash
    Headache Dizziness Syncope Palpitations Tremor Seizure Seizures Stroke Diabetes Hypertension
    Asthma Cancer Depression Anxiety Obesity Pneumonia Sepsis Infection Covid COVID-19 Influenza
    Flu Hepatitis Cirrhosis Anemia Dementia Delirium Arthritis Gout Cath Stent Stents Graft Pump
    Port Line Drain Tube Catheter Device Pacemaker Defibrillator Echo Holter Cast Boot Brace
    Splint Sling Crutches Wheelchair Oxygen CPAP BiPAP Sleep Study Test Tests Score Scale Screen
    Screening Vaccine Vaccines Immunization Injection Infusion Chemo Chemotherapy Radiation
    Dialysis Transplant Surgery Repair Replacement Fusion Good Fair Poor Well Unremarkable
    Intact Clear Soft Tender Nontender Regular Irregular Alert Oriented Awake Calm Pleasant
    Cooperative Appropriate Afebrile Ambulatory Independent Please Call Contact Phone Fax Email
    Address Date Time DOB DOS MRN SSN ID Age Sex Male Female Man Woman Boy Girl Infant Child
    Adult Elderly Veteran Caucasian Hispanic Latino Asian African American Native English
    Spanish Interpreter Medicare Medicaid Insurance Plan Member Policy Group Account Billing
    Claim Prescription Rx Refill Refills Pharmacy Dose Dosing Tablet Tablets Capsule Capsules
    Units Unit Injection Patch Cream Ointment Drops Spray Inhaler Nebulizer Solution Suspension
    Syrup Drip Bolus Titrate Taper Wean Hold Held Resume Resumed Pre-op Post-op Postop Preop
    Intraop Operative Op Anesthesiology Labor Delivery Newborn Prenatal Postpartum Gestation
    Pregnancy Pregnant Lactation Menopause Puberty Birth Born Quit Smoker Smoking Tobacco
    Alcohol Drugs Drug Substance Use Abuse Dependence Withdrawal Counseled Counseling Education
    Educated Advised Instructed Given Received Administered Placed Removed Inserted Performed
    Completed Scheduled Planned Recommended Requested Obtained Sent Faxed Emailed Mailed
    Uploaded Signed Dictated Transcribed Electronically Verified Reason Chief Complaint HPI ROS
    PMH PSH FH SH PE A/P Review Systems Constitutional General Genitourinary GU GI
    Musculoskeletal MSK Integumentary Lymphatic Endocrine Hematologic Allergic Immunologic
    Cardiovascular Respiratory Gastrointestinal Neurological Psychiatric Sinus Rhythm Murmur
    Gallop Rub Wheezes Wheezing Crackles Rales Rhonchi Breath Sounds Grip Strength Sensation
    Reflexes Gait Coordination Cranial Nerves Speech Mood Affect Thought Judgment Insight Memory
    Attention Orientation Cognition Behavior Sleep Appetite Weight Height BMI Temp Temperature
    Pulse Respirations Pressure Saturation Knee Knees Hip Hips Shoulder Shoulders Elbow Wrist
    Hand Hands Finger Fingers Thumb Ankle Ankles Foot Feet Toe Toes Leg Legs Arm Arms Thigh Calf
    Shin Heel Groin Buttock Flank Rib Ribs Sternum Clavicle Scapula Pelvic Lumbar Thoracic
    Cervical Sacral Coccyx Skull Face Jaw Mouth Tongue Teeth Tooth Gums Lip Lips Eye Ear Scalp
    Brain Lung Liver Kidney Kidneys Bladder Prostate Uterus Ovary Ovaries Breast Breasts Colon
    Rectum Stomach Esophagus Pancreas Spleen Gallbladder Appendix Thyroid Adrenal Pituitary Bone
    Bones Joint Joints Muscle Muscles Tendon Ligament Nerve Nerves Vein Veins Artery Arteries
    Aorta Valve Wound Wounds Incision Ulcer Lesion Lesions Mass Nodule Cyst Tumor Fracture
    Sprain Strain Tear Laceration Abrasion Contusion Burn Burns Bruise Swelling Redness Drainage
    Bleeding Hemorrhage Clot Embolism Preeclampsia Eclampsia Labor Contractions Miscarriage
    Infertility Contraception Osteoporosis Osteoarthritis Neuropathy Retinopathy Nephropathy
    Cardiomyopathy Arrhythmia Angina Murmurs Hyperlipidemia Hypothyroidism Hyperthyroidism
    Hypoglycemia Hyperglycemia Ketoacidosis Bronchitis Emphysema Fibrosis Effusion Pneumothorax
    Atelectasis Hypoxia Apnea Snoring Insomnia Migraine Vertigo Neuralgia Paresthesia Numbness
    Tingling Spasm Spasms Cramps Colitis Gastritis Pancreatitis Hepatitis Cholecystitis
    Appendicitis Diverticulitis Hernia Reflux Dysphagia Heartburn Jaundice Ascites Dermatitis
    Eczema Psoriasis Cellulitis Abscess Acne Alopecia Urticaria Hives Pruritus Itching
    Lymphadenopathy Leukemia Lymphoma Melanoma Carcinoma Sarcoma Myeloma Metastasis Metastases
    Remission Relapse Recurrence Prognosis Pager Beeper Cell Mobile Work Rheum Cards Pulm Neph
    Endo Onc Heme Derm Peds Gyn Uro Ophtho Gen Surg Ortho Neurosurg Vasc Trauma Hem Hospitalist
    Intensivist Anesthesiologist Caregiver Guardian Spouse Partner Sibling Siblings Parents
    Parent Children Kids Grandchildren Workup Work-up Plan Goals Disposition Prophylaxis
    Precautions Isolation Restraints Fall Falls Risk Risks Benefits Alternatives Consent Code
    Full DNR DNI POLST Advance Directive Directives Ambulance Transport Wheelchair Stretcher
    Taxi Vehicle Driver Driving Neurologist Cardiologist Oncologist Pulmonologist
    Endocrinologist Nephrologist Urologist Dermatologist Rheumatologist Gastroenterologist
    Hematologist Psychiatrist Psychologist Pediatrician Obstetrician Gynecologist Radiologist
    Pathologist Anesthesiologist Podiatrist Optometrist Ophthalmologist Audiologist Dentist
    Orthodontist Chiropractor Pharmacist Dietitian Nutritionist Counselor Midwife Paramedic EMT
    Hospitalist Supplies Supply Vendor Supplier Equipment Orders Order Referring Consulting
    Covering Treating Ordering Primary Cord Gas Stool Sputum Swab Specimen Sample Smear Panel
    Profile Level Levels Count Counts Suspect Suspected Possible Probable Likely Unlikely Rule
    Ruled Differential Versus Hep Teen Teenager Toddler Baby Newborn Neonate Student Retired
    Retiree Employed Unemployed Disabled Widowed Married Single Divorced Separated
    Tel Loc Location Dispo Disposition Triage Belongings Valuables Submitter Requesting Requested
    Reply Thx Thanks Tx Rx Dx Hx Sx Clerk Registrar Dental Financial Subject Employee Employer
    Photo Photos Image Images Media Attachment Attachments Signature Signed Cosigned Site Status
    Reviewer Reviewed Coordinator Navigator Practitioner Manager Educator Specialist Supervisor
    Assistant Aide Technician Tech Scribe Interpreter Chaplain Volunteer Courier Dispatcher
    Consultant Registrar Sonographer Technologist Phlebotomist Hygienist Paramedic
    """
    )
)

# Clinical abbreviations that spaCy tags as ORG/GPE/PERSON.
MEDICAL_ABBREVIATIONS: frozenset[str] = frozenset(
    _words(
        """
    COPD CHF HFrEF HFpEF MRI CT CTA PET EKG ECG EEG EMG NCS CABG PCI DM DM1 DM2 T1DM T2DM HTN
    HLD CKD ESRD AKI GERD BPH UTI DVT PE MI STEMI NSTEMI TIA CVA OSA ADHD PTSD RA OA SLE HIV
    AIDS HCV HBV TSH PSA CBC BMP CMP ABG INR PT PTT NPO PRN BID TID QID QHS QD QOD PO IV IM SC
    SQ SL ED ER ICU PACU OR PCP NKDA ROS HEENT PERRLA RRR CTAB NAD AOx3 CAD PAD AF AFib A-fib
    SVT VT VF LBBB RBBB LVH LVEF EF ACS ARDS ILD IPF PNA CAP HAP VAP OT PT SLP DME SNF LTAC ADL
    ADLs IADL BMI LDL HDL HbA1c A1c ALT AST ALP GGT BUN Cr GFR eGFR UA UDS CRP ESR ANA RF CCP TB
    PPD IGRA MRSA MSSA VRE CDI C-diff RSV HPV HSV VZV EBV CMV GBS NICU PICU L&D OB GYN OBGYN ENT
    GI ID IR MSK PM&R PMR SOB DOE PND JVD LE UE RLE LLE RUE LUE RUQ LUQ RLQ LLQ CVA CVAT TTP ROM
    DTR DTRs BLE BUE NSAID NSAIDs ACE ARB ARNI SGLT2 GLP-1 DPP-4 PPI SSRI SNRI TCA MAOI DOAC
    LMWH TPA tPA IVIG ABVD CHOP R-CHOP FOLFOX ART HAART PrEP PEP VNS DBS ICD CRT CRT-D AICD LVAD
    ECMO CPAP BiPAP AHI ODI REM NREM PFT FEV1 FVC DLCO TLC RV VQ V/Q CXR KUB EGD ERCP MRCP EUS
    TEE TTE THA TKA ACL PCL MCL LCL ORIF CRPP TKR THR DJD DDD HNP LBP CTS AC SI AVN CRPS PRP AWV
    IPPE CMS HCPCS CPT ICD ICD-10 ICD-10-CM NDC DRG HCC RAF NOS NEC MMSE MoCA PHQ PHQ-9 GAD
    GAD-7 AUDIT CAGE CIWA COWS GCS NIHSS NYHA ASA ECOG KPS HR RR BP SpO2 O2 RA NC BP HEENT JVP
    PMI
    Hb Hgb HgB Hct Plt Plts WBC RBC MCV MCH MCHC RDW ANC ALC Neut Neuts Lymph Lymphs Mono Eos
    Baso Segs Retic Na K Cl Ca iCa Mg Phos PO4 Cr Creat Alb Tbili Dbili Bili TBili T-bili Trop
    TnI TnT hsTnT hs-TnT BNP NT-proBNP proBNP Lact Procal PCT Ddimer D-dimer Fib Fe TIBC Tsat
    B12 Vit HbA1c Hba1c A1C Glu Gluc Chol Trig TG LFT LFTs Lytes CK CPK LDH Amyl Lip Uric UACR
    UPCR Osm Sosm Uosm pH pCO2 pO2 PaO2 PaCO2 HCO3 Bicarb CO2 FiO2 SaO2 PEEP Tmax Wt Ht Hgb-A1c
    T3 T4 FT4 fT4 FT3 TPO AFP CEA CA-125 CA19-9 aPTT PTT INR ESR CRP hsCRP ANA dsDNA ANCA ASO
    RPR VDRL HIV-1 HBsAg HBcAb HCV-Ab UCx BCx Cx GC NAAT PCR COVID SARS-CoV-2
    Tdap Td DTaP DT MMR MMRV IPV Hib HepA HepB PCV PCV13 PCV15 PCV20 PPSV23 RZV BCG
    """
    )
)

# Common drug names (generic and brand). Brand names are capitalised and often tagged PERSON.
DRUG_NAMES: frozenset[str] = frozenset(
    w.lower()
    for w in _words(
        """
    Metformin Glucophage Jardiance Farxiga Invokana Januvia Ozempic Wegovy Trulicity Victoza
    Mounjaro Lantus Levemir Tresiba Basaglar Humalog Novolog Toujeo Glipizide Glyburide Actos
    Lisinopril Losartan Valsartan Entresto Amlodipine Norvasc Nifedipine Diltiazem Cardizem
    Verapamil Metoprolol Toprol Lopressor Carvedilol Coreg Atenolol Propranolol Labetalol
    Hydrochlorothiazide HCTZ Chlorthalidone Furosemide Lasix Bumex Bumetanide Torsemide
    Spironolactone Aldactone Eplerenone Hydralazine Clonidine Isosorbide Imdur Nitroglycerin
    Atorvastatin Lipitor Rosuvastatin Crestor Simvastatin Zocor Pravastatin Ezetimibe Zetia
    Repatha Praluent Aspirin Plavix Clopidogrel Brilinta Ticagrelor Prasugrel Effient Eliquis
    Apixaban Xarelto Rivaroxaban Pradaxa Dabigatran Coumadin Warfarin Heparin Lovenox Enoxaparin
    Digoxin Amiodarone Sotalol Flecainide Multaq Levothyroxine Synthroid Levoxyl Methimazole
    Tapazole PTU Propylthiouracil Hydrocortisone Prednisone Prednisolone Medrol
    Methylprednisolone Dexamethasone Decadron Fludrocortisone Albuterol ProAir Ventolin
    Proventil Symbicort Advair Breo Trelegy Spiriva Incruse Anoro Stiolto Flovent Pulmicort
    Singulair Montelukast Xolair Dupixent Nucala Fasenra Azithromycin Zithromax Z-pack
    Doxycycline Amoxicillin Augmentin Keflex Cephalexin Ceftriaxone Rocephin Cefdinir
    Ciprofloxacin Cipro Levofloxacin Levaquin Bactrim Nitrofurantoin Macrobid Clindamycin
    Vancomycin Zosyn Flagyl Metronidazole Linezolid Valacyclovir Valtrex Acyclovir Tamiflu
    Paxlovid Fluconazole Diflucan Omeprazole Prilosec Pantoprazole Protonix Esomeprazole Nexium
    Famotidine Pepcid Ondansetron Zofran Reglan Metoclopramide Miralax Colace Senna Dulcolax
    Linzess Humira Adalimumab Remicade Infliximab Entyvio Stelara Skyrizi Rinvoq Xeljanz Enbrel
    Methotrexate Plaquenil Hydroxychloroquine Sulfasalazine Mesalamine Lialda Budesonide
    Entocort Keytruda Opdivo Herceptin Avastin Rituxan Rituximab Revlimid Imbruvica Tagrisso
    Gleevec Xiaflex Botox Prolia Forteo Fosamax Alendronate Reclast Evista Tamoxifen Anastrozole
    Arimidex Letrozole Femara Lupron Xtandi Zytiga Flomax Tamsulosin Finasteride Proscar Avodart
    Cialis Viagra Sildenafil Tadalafil Oxybutynin Myrbetriq Detrol Sertraline Zoloft Fluoxetine
    Prozac Escitalopram Lexapro Citalopram Celexa Paroxetine Paxil Venlafaxine Effexor
    Duloxetine Cymbalta Bupropion Wellbutrin Mirtazapine Remeron Trazodone Buspirone Buspar
    Quetiapine Seroquel Olanzapine Zyprexa Risperidone Risperdal Aripiprazole Abilify
    Haloperidol Haldol Lithium Lamotrigine Lamictal Depakote Valproate Keppra Levetiracetam
    Topamax Topiramate Dilantin Phenytoin Tegretol Carbamazepine Trileptal Oxcarbazepine Vimpat
    Lacosamide Gabapentin Neurontin Pregabalin Lyrica Xanax Alprazolam Ativan Lorazepam Klonopin
    Clonazepam Valium Diazepam Ambien Zolpidem Melatonin Adderall Ritalin Concerta Vyvanse
    Strattera Donepezil Aricept Memantine Namenda Exelon Rivastigmine Sinemet Carbidopa Levodopa
    Rytary Mirapex Pramipexole Requip Ropinirole Azilect Rasagiline Amantadine Sumatriptan
    Imitrex Rizatriptan Maxalt Nurtec Ubrelvy Aimovig Emgality Ajovy Tylenol Acetaminophen Advil
    Motrin Ibuprofen Aleve Naproxen Celebrex Celecoxib Meloxicam Mobic Toradol Ketorolac
    Diclofenac Voltaren Norco Vicodin Percocet Oxycodone OxyContin Hydrocodone Dilaudid
    Hydromorphone Morphine Fentanyl Tramadol Ultram Suboxone Buprenorphine Methadone Narcan
    Naloxone Naltrexone Vivitrol Chantix Varenicline Nicoderm Benadryl Diphenhydramine Zyrtec
    Cetirizine Claritin Allegra Flonase Epipen EpiPen Epinephrine Penicillin Penicillamine
    Cuprimine Syprine Trientine DDAVP Desmopressin Humate Kcentra Procrit Epogen Aranesp
    Neupogen Neulasta Feraheme Venofer Injectafer Potassium Klor-Con Magnesium Calcitriol
    Sensipar Renvela Phoslo Valium Robaxin Flexeril Cyclobenzaprine Baclofen Tizanidine Zanaflex
    Colchicine Allopurinol Zyloprim Uloric Krystexxa Ivermectin Stromectol Kenalog Triamcinolone
    Depo-Medrol Lidocaine Xylocaine Marcaine Bupivacaine Propofol Versed Midazolam Ketamine
    Rocuronium Succinylcholine Zepbound Rybelsus Soliqua Xultophy Glyxambi Synjardy Janumet
    Tradjenta Steglatro Austedo Ingrezza Xywav Xyrem Wakix Sunosi Provigil Nuvigil Qulipta
    Vraylar Rexulti Trintellix Caplyta Nuplazid Xcopri Briviact Fycompa Aptiom Epidiolex Ocrevus
    Tysabri Tecfidera Gilenya Aubagio Kesimpta Copaxone Avonex Rebif Leqembi Aduhelm Nexletol
    Vascepa Lovaza Kerendia Verquvo Corlanor Ranexa Multaq Tikosyn Savaysa Bevespi Breztri
    Tudorza Daliresp Ofev Esbriet Tezspire Cibinqo Otezla Sotyktu Cosentyx Taltz Tremfya Ilumya
    Siliq Orencia Actemra Kevzara Olumiant Benlysta Saphnelo Lupkynis Krystexxa Evenity Tymlos
    Veozah Orilissa Myfembree Nexplanon Mirena Paragard Depo-Provera Xiidra Restasis Vyzulta
    Rhopressa Lumigan Xalatan Santyl Regranex Silvadene Bactroban Mupirocin Trulance Amitiza
    Motegrity Viberzi Xifaxan Creon Zenpep Ocaliva Urso Actigall Harvoni Epclusa Mavyret
    Biktarvy Genvoya Descovy Truvada Triumeq Dovato Juluca Cabenuva Symtuza Prezcobix Isentress
    Tivicay Veklury Lagevrio Evusheld Latanoprost Timolol Brimonidine Dorzolamide Cosopt
    Combigan Trientine Deutetrabenazine
    """
    )
)

# Device nouns: the capitalised words before them, across model numbers and a few medical
# words, name a device type ("Cochlear Nucleus CI632 implant", "Nucleus 8 sound processor",
# "Abbott Gallant HF CRT-D"), not a person.
DEVICE_HEADS: frozenset[str] = frozenset(
    _words(
        """
    pacemaker pacemakers defibrillator defibrillators icd crt implant implants processor pump
    pumps sensor sensors transmitter transmitters monitor monitors stent stents valve valves
    catheter catheters trocar sealer stapler generator neurostimulator stimulator recorder
    cpap bipap ventilator concentrator glucometer meter prosthesis lvad occluder clip coil lens
    aid aids device devices system scope endoscope laser shunt port inhaler nebulizer
        """
    )
)

# Medical device brands and makers that spaCy tags as people or places ("Medtronic Micra",
# "FreeStyle Libre"). Makers whose name is also a city or a common surname (Boston
# Scientific, Smith & Nephew) are left out: they are handled by context like any name.
DEVICE_NAMES: frozenset[str] = frozenset(
    w.lower()
    for w in _words(
        """
 Medtronic Dexcom FreeStyle Libre Omnipod Insulet Tandem MiniMed Eversense Accu-Chek
 OneTouch Contour ResMed Respironics AirSense AirCurve DreamStation Inogen Zoll
 LifeVest Micra Aveir Nanostim Biotronik Masimo Impella HeartMate HeartWare Watchman
 MitraClip Amplatzer Sapien CoreValve Evolut Inspire Nevro Senza Optune Cochlear
 Oticon Phonak Signia Widex ReSound Zio iRhythm KardiaMobile AliveCor Fitbit Alaris
 Pyxis Covidien Biomet DePuy Synthes Arthrex Exactech Hologic
 LivaNova SenTiva AspireSR NeuroPace Activa Percept Vercise Intellis Proclaim Azure Advisa
 Percepta Claria Cobalt Crome Evera Visia Amplia Compia Viva Accolade Valitude Resonate
 Quadra Assura Ellipse Gallant Entrant LINQ BioMonitor Kyleena Skyla Liletta Essure
 Invisalign Tegaderm Mepilex PleurX Groshong PowerPICC Mediport
 Port-a-Cath Teleflex Cordis Terumo Penumbra Solitaire Trevo Pipeline Xience Resolute
 Synergy Onyx Promus Orsiro Angio-Seal Perclose StarClose Impella Optiflow Airvo Trilogy
 Astral SimplyGo Oxymizer Medela Spectra Dynamap Tandem t:slim Control-IQ
 """
    )
)

# Generic-name endings of common drug classes; a bare NER hit ending like this is a drug.
DRUG_SUFFIX_RE = re.compile(
    r"(?:pril|sartan|olol|dipine|statin|formin|gliptin|gliflozin|glutide|parin|xaban|gatran|"
    r"triptan|oxetine|azepam|azolam|prazole|tidine|semide|thiazide|ximab|zumab|umab|tinib|"
    r"cillin|mycin|floxacin|cycline|conazole|setron|lukast|terol|tropium|afil|azosin|asone|"
    r"isone|olone|caine|profen|coxib|codone|morphone|vudine|navir|previr|buvir|tegravir)$",
    re.IGNORECASE,
)

# Endings of medical terms ("Splenomegaly", "Glaucoma"): a bare NER hit ending like this is
# a clinical word capitalised at the start of a sentence, not a name.
MEDICAL_SUFFIX_RE = re.compile(
    r"(?:megaly|itis|osis|oma|omas|emia|aemia|algia|pathy|ectomy|otomy|ostomy|plasty|scopy|"
    r"graphy|gram|uria|rrhea|rrhoea|plegia|paresis|trophy|cele|ptosis|lysis|iasis|penia|"
    r"cytosis|philia|phobia|plasia|stenosis|spasm|edema|oedema|ectasis|malacia|pnea|pnoea|"
    r"thermia|tension|kalemia|natremia|glycemia|ocele|orrhage|ectomies|otomies)$",
    re.IGNORECASE,
)

# Capitalised at a sentence start, never names. Name-like words ("Will", "May") are absent.
FUNCTION_WORDS: frozenset[str] = frozenset(
    _words(
        """
    a an the and but or nor for so yet in on at to from by of off with without within into onto
    over under after before during since until upon about above below between per via as if when
    while where then than this that these those there here he she they we you i it his her hers
    their theirs our ours your its him them us me my mine is are was were be been being has have
    had do does did not no yes all any both each few more most other some such only own same
    also just very can could should would must shall might who whom whose which what why how
    """
    )
)

# Lower-case particles inside surnames ("Van der Berg", "Ana de la Cruz").
NAME_PARTICLES: tuple[str, ...] = (
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "bin", "ibn",
    "al", "ter", "dos", "das",
)  # fmt: skip

# Words of clinical notes that code descriptions lack: lab names, equipment, exam and course
# words. With the code descriptions they make up thce.data.phi.vocabulary.
CLINICAL_WORDS: frozenset[str] = frozenset(
    _words(
        """
    labs lab troponin troponins lipase amylase ferritin platelets platelet procalcitonin lactate
    lactic neutrophils neutrophil lymphocytes monocytes eosinophils basophils bands hematocrit
    hemoglobin bicarbonate bicarb chloride phosphorus phosphate electrolytes lytes magnesium
    calprotectin galactomannan fibrinogen haptoglobin reticulocytes reticulocyte retic
    transferrin folate cortisol prolactin testosterone estradiol lipids triglycerides glucose
    creatinine bilirubin albumin ammonia urinalysis microalbumin nitrites nitrite esterase
    ketones culture cultures gram stain smear titer titers antigen antibody antibodies panel
    meter meters reading readings log logs fingerstick fingersticks glucometer sensor sensors
    monitor pump pumps spacer nebulizer nebs neb inhaler walker cane crutch crutches splint
    needlestick needlesticks leadless transmitter transmitters interrogation sat sats spo2 pox ox
    radiograph radiographs comedo comedones
    wheeze wheezes wheezing crackle crackles rales rhonchi stridor rub rubs bruit bruits
    infiltrate infiltrates consolidation opacity opacities exudate exudates effusion effusions
    pleuritic productive nonproductive scattered patchy focal diffuse occasional intermittent
    persistent nocturnal exertional positional bilateral unilateral bibasilar basilar apical
    proximal distal medial lateral superior inferior anterior posterior dorsal ventral palmar
    plantar radial ulnar pedal tonsillar capillary peripheral central sudden gradual abrupt
    insidious worsening improving resolving resolved recurrent new old prior baseline recheck
    repeat repeated trending uptrending downtrending stable unchanged tender nontender swollen
    erythematous purulent serous bloody watery foul mild mildly moderate severe marked trace
    palpable nonpalpable diminished absent present brisk sluggish reactive symmetric
    asymmetric regular irregular tachycardic bradycardic hypotensive hypertensive febrile
    afebrile hypoxic hypoxemic diaphoretic lethargic somnolent obtunded oriented alert awake
    ambulating ambulatory bedbound nonambulatory tolerating tolerated denies denied endorses
    reports complains presents noted seen started stopped held resumed continued increased
    decreased titrated tapered switched changed added refilled ordered obtained consulted
    cardiac pulmonary renal hepatic gastric abdominal pelvic cervical thoracic lumbar sacral
    coronary cerebral neurologic neurological vascular venous arterial lymphatic cutaneous
    dermal oral nasal ocular otic rectal vaginal urinary biliary pancreatic splenic adrenal
    thyroid pituitary dietary nutrition hydration ventilator intubated extubated sedated
    several despite every each both either neither overall otherwise additionally also
    however although though because since until while during after before following
    """
    )
)

# Genera of organisms named in notes, capitalised by convention ("Klebsiella pneumoniae").
ORGANISM_GENERA: frozenset[str] = frozenset(
    _words(
        """
    Acinetobacter Actinomyces Aeromonas Aspergillus Babesia Bacillus Bacteroides Bartonella
    Blastomyces Bordetella Borrelia Brucella Burkholderia Campylobacter Candida Chlamydia
    Chlamydophila Citrobacter Clostridioides Clostridium Coccidioides Corynebacterium Coxiella
    Cryptococcus Cryptosporidium Cutibacterium Cyclospora Ehrlichia Eikenella Entamoeba
    Enterobacter Enterococcus Escherichia Fusobacterium Gardnerella Giardia Haemophilus
    Hemophilus Helicobacter Histoplasma Kingella Klebsiella Lactobacillus Legionella Leishmania
    Leptospira Listeria Malassezia Moraxella Morganella Mucor Mycobacterium Mycoplasma Neisseria
    Nocardia Pasteurella Peptostreptococcus Plasmodium Pneumocystis Prevotella Propionibacterium
    Proteus Providencia Pseudomonas Rhizopus Rickettsia Salmonella Sarcoptes Schistosoma
    Serratia Shigella Sporothrix Staphylococcus Stenotrophomonas Streptococcus Strongyloides
    Toxoplasma Treponema Trichomonas Trichophyton Ureaplasma Vibrio Yersinia
    """
    )
)

# Words of the medical vocabulary that are also common given names or surnames: they never
# count as medical when deciding whether an NER hit is a name ("Crystal Young" stays a name).
NAME_LIKE_WORDS: frozenset[str] = frozenset(
    _words(
        """
    art bird black bridges brown burns cane chambers crystal cross cutter day duffy field
    foster gene glass hall hill house iris little long may page park ray rich rose ross sharp
    short snow stone summer van walker west white will wood young
    """
    )
)
